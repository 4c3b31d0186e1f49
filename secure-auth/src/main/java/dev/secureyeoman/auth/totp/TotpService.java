package dev.secureyeoman.auth.totp;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HOTP (RFC 4226) and TOTP (RFC 6238) codes: SHA1/SHA256/SHA512, 6 or 8 zero-padded digits, any period, 64-bit time
 * steps (T0 = 0).
 *
 * <p><b>Security guarantees.</b> {@link #verify} compares every candidate in the window in constant time and returns the
 * matched step, so the caller can enforce single use by storing the last accepted step (the {@code AuthService} does so
 * with an atomic compare-and-set). <b>Non-goals:</b> replay protection on its own (it is stateless) and rate limiting.
 */
public final class TotpService {
  private static final int[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

  private final Clock clock;

  /**
   * Creates a service using the given clock for {@link #verify}.
   *
   * @param clock the time source
   */
  public TotpService(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The RFC 4226 HOTP value for a counter.
   *
   * @param secret shared secret (at least 1 byte)
   * @param counter moving factor, any 64-bit value
   * @param algorithm HMAC algorithm
   * @param digits 6 or 8
   * @return the zero-padded code
   */
  public static String hotp(byte[] secret, long counter, TotpAlgorithm algorithm, int digits) {
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(algorithm, "algorithm");
    if (secret.length == 0) {
      throw new IllegalArgumentException("secret must not be empty");
    }
    if (digits != 6 && digits != 8) {
      throw new IllegalArgumentException("digits must be 6 or 8, got " + digits);
    }
    String s = Integer.toString(truncate(secret, counter, algorithm, digits));
    return "0".repeat(digits - s.length()) + s;
  }

  /** Dynamic truncation (RFC 4226 §5.3) modulo 10^digits. */
  private static int truncate(byte[] secret, long counter, TotpAlgorithm algorithm, int digits) {
    byte[] h = mac(secret, counter, algorithm);
    int offset = h[h.length - 1] & 0x0f;
    int binary =
        ((h[offset] & 0x7f) << 24)
            | ((h[offset + 1] & 0xff) << 16)
            | ((h[offset + 2] & 0xff) << 8)
            | (h[offset + 3] & 0xff);
    return binary % POW10[digits];
  }

  /**
   * The time step containing an instant: {@code floor(epochSecond / period)} as a 64-bit value.
   *
   * @param time the instant (may be before 1970: the step is then negative)
   * @param parameters the TOTP parameters
   * @return the step
   */
  public static long step(Instant time, TotpParameters parameters) {
    return Math.floorDiv(time.getEpochSecond(), (long) parameters.periodSeconds());
  }

  /**
   * The TOTP code at an instant.
   *
   * @param secret shared secret
   * @param time the instant
   * @param parameters algorithm, digits, period
   * @return the code
   */
  public static String generate(byte[] secret, Instant time, TotpParameters parameters) {
    return hotp(secret, step(time, parameters), parameters.algorithm(), parameters.digits());
  }

  /**
   * Verifies a code against the current time ± {@code window} steps.
   *
   * @param secret shared secret
   * @param code the submitted code (anything that is not exactly {@code digits} ASCII digits fails)
   * @param parameters algorithm, digits, period
   * @param window steps accepted either side of now (0 to 10)
   * @return the matched step, or empty
   */
  public OptionalLong verify(byte[] secret, String code, TotpParameters parameters, int window) {
    return verifyAt(secret, code, parameters, window, clock.instant());
  }

  /**
   * Verifies a code against a given time ± {@code window} steps.
   *
   * @param secret shared secret
   * @param code the submitted code
   * @param parameters algorithm, digits, period
   * @param window steps accepted either side (0 to 10)
   * @param now the reference time
   * @return the matched step, or empty
   */
  public static OptionalLong verifyAt(byte[] secret, String code, TotpParameters parameters, int window, Instant now) {
    Objects.requireNonNull(parameters, "parameters");
    if (window < 0 || window > 10) {
      throw new IllegalArgumentException("window must be in [0, 10], got " + window);
    }
    if (code == null || code.length() != parameters.digits() || !isAsciiDigits(code)) {
      return OptionalLong.empty();
    }
    int submitted = Integer.parseInt(code);
    if (secret.length == 0) {
      throw new IllegalArgumentException("secret must not be empty");
    }
    long center = step(now, parameters);
    long matched = 0;
    int found = 0;
    // every candidate is computed and compared without early exit or data-dependent branches on the code,
    // so the time does not reveal which step matched (or how close a guess was)
    for (long i = -window; i <= window; i++) {
      long s = center + i;
      int expected = truncate(secret, s, parameters.algorithm(), parameters.digits());
      int eq = ((expected ^ submitted) - 1) >>> 31; // 1 iff equal (both values are non-negative 31-bit ints)
      int take = eq & (found ^ 1);
      matched = take == 1 ? s : matched;
      found |= eq;
    }
    return found == 1 ? OptionalLong.of(matched) : OptionalLong.empty();
  }

  private static boolean isAsciiDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static final ThreadLocal<Mac[]> MACS = ThreadLocal.withInitial(() -> new Mac[TotpAlgorithm.values().length]);

  private static byte[] mac(byte[] secret, long counter, TotpAlgorithm algorithm) {
    try {
      Mac[] macs = MACS.get();
      Mac mac = macs[algorithm.ordinal()];
      if (mac == null) {
        mac = Mac.getInstance(algorithm.jcaName());
        macs[algorithm.ordinal()] = mac;
      }
      mac.init(new SecretKeySpec(secret, algorithm.jcaName()));
      byte[] msg = {
        (byte) (counter >>> 56), (byte) (counter >>> 48), (byte) (counter >>> 40), (byte) (counter >>> 32),
        (byte) (counter >>> 24), (byte) (counter >>> 16), (byte) (counter >>> 8), (byte) counter
      };
      return mac.doFinal(msg);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("JDK lacks " + algorithm.jcaName(), e);
    }
  }
}
