package dev.secureyeoman.auth.totp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds and parses {@code otpauth://totp/} URIs (Key URI Format) with RFC 3986 percent-encoding: every byte outside the
 * unreserved set is encoded, so a space becomes {@code %20} (never {@code +}). {@code ':'} is refused in the issuer and
 * the account, because it separates them in the label.
 */
public final class OtpAuthUri {
  /** Longest URI {@link #parse} accepts. */
  public static final int MAX_LENGTH = 2048;

  private OtpAuthUri() {}

  /**
   * A parsed {@code otpauth://totp/} URI. {@link #toString()} hides the secret.
   *
   * @param issuer the issuer, from the label prefix or the {@code issuer} parameter (they must agree), if any
   * @param account the account name
   * @param secret the shared secret (copied in and out)
   * @param parameters algorithm, digits, period (defaults SHA1, 6, 30 when absent)
   */
  public record Parsed(Optional<String> issuer, String account, byte[] secret, TotpParameters parameters) {
    /** Validates and copies. */
    public Parsed {
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(account, "account");
      Objects.requireNonNull(parameters, "parameters");
      secret = secret.clone();
    }

    /**
     * A copy of the secret.
     *
     * @return the secret bytes
     */
    @Override
    public byte[] secret() {
      return secret.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Parsed p
          && issuer.equals(p.issuer)
          && account.equals(p.account)
          && java.security.MessageDigest.isEqual(secret, p.secret)
          && parameters.equals(p.parameters);
    }

    @Override
    public int hashCode() {
      return Objects.hash(issuer, account, parameters);
    }

    @Override
    public String toString() {
      return "OtpAuthUri.Parsed[issuer=" + issuer + ", account=" + account + ", secret=██, parameters=" + parameters
          + "]";
    }
  }

  /**
   * Parses a {@code otpauth://totp/} URI strictly: percent-escapes must be valid UTF-8, the label's issuer and the
   * {@code issuer} parameter must agree, parameters may not repeat, the secret must be non-empty Base32, the values must
   * satisfy {@link TotpParameters} and the same bounds as {@link #build} (so a parsed URI can be built again). Unknown
   * parameters (for example {@code image}) are ignored.
   *
   * @param uri the URI, at most {@link #MAX_LENGTH} chars
   * @return the parsed key
   * @throws IllegalArgumentException naming what is wrong (never echoing the secret)
   */
  public static Parsed parse(String uri) {
    Objects.requireNonNull(uri, "uri");
    if (uri.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("otpauth URI longer than " + MAX_LENGTH + " chars");
    }
    String prefix = "otpauth://totp/";
    if (!uri.regionMatches(true, 0, prefix, 0, prefix.length())) {
      throw new IllegalArgumentException("not an otpauth://totp/ URI");
    }
    int q = uri.indexOf('?');
    if (q < 0) {
      throw new IllegalArgumentException("otpauth URI has no parameters (secret is required)");
    }
    String label = decode(uri.substring(prefix.length(), q), "label");
    String labelIssuer = null;
    String account = label;
    int colon = label.indexOf(':');
    if (colon >= 0) {
      labelIssuer = label.substring(0, colon);
      account = label.substring(colon + 1);
    }
    account = account.stripLeading(); // "Issuer: alice" is common
    Map<String, String> params = new HashMap<>();
    for (String pair : uri.substring(q + 1).split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("malformed otpauth parameter");
      }
      String key = pair.substring(0, eq).toLowerCase(Locale.ROOT);
      if (params.put(key, decode(pair.substring(eq + 1), key)) != null) {
        throw new IllegalArgumentException("repeated otpauth parameter " + safe(key));
      }
    }
    String issuer = params.get("issuer");
    if (labelIssuer != null && issuer != null && !labelIssuer.equals(issuer)) {
      throw new IllegalArgumentException("issuer in the label and the issuer parameter differ");
    }
    if (issuer == null) {
      issuer = labelIssuer;
    }
    if (issuer != null) {
      checkPart("issuer", issuer, 100);
    }
    checkPart("account", account, 128);
    String secretText = params.get("secret");
    if (secretText == null || secretText.isEmpty()) {
      throw new IllegalArgumentException("otpauth URI has no secret");
    }
    byte[] secret;
    try {
      secret = Base32.decode(secretText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("otpauth secret is not valid Base32");
    }
    if (secret.length == 0) {
      throw new IllegalArgumentException("otpauth secret is empty");
    }
    try {
      TotpAlgorithm algorithm;
      try {
        algorithm = TotpAlgorithm.valueOf(params.getOrDefault("algorithm", "SHA1").toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unsupported otpauth algorithm");
      }
      TotpParameters p =
          new TotpParameters(
              algorithm, number(params.getOrDefault("digits", "6"), "digits"),
              number(params.getOrDefault("period", "30"), "period"));
      return new Parsed(Optional.ofNullable(issuer), account, secret, p);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  private static int number(String s, String name) {
    if (s.isEmpty() || s.length() > 4 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("otpauth " + name + " must be a small number");
    }
    return Integer.parseInt(s);
  }

  /** A parameter name for a message: printable ASCII only, bounded. */
  private static String safe(String s) {
    String t = s.length() > 32 ? s.substring(0, 32) : s;
    return t.replaceAll("[^A-Za-z0-9_-]", "?");
  }

  /** Strict RFC 3986 percent-decoding to UTF-8; {@code +} is a plus sign. */
  private static String decode(String s, String what) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new IllegalArgumentException("truncated percent-escape in otpauth " + safe(what));
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("bad percent-escape in otpauth " + safe(what));
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c < 0x21 || c > 0x7e) {
        throw new IllegalArgumentException("otpauth " + safe(what) + " must be percent-encoded ASCII");
      } else {
        out.write(c);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("otpauth " + safe(what) + " is not valid UTF-8");
    }
  }

  /**
   * Builds the URI.
   *
   * @param issuer service name, 1–100 chars without ':'
   * @param account account name (user name or email), 1–128 chars without ':'
   * @param secret the shared secret
   * @param parameters algorithm, digits, period
   * @return {@code otpauth://totp/Issuer:account?secret=...&issuer=...&algorithm=...&digits=...&period=...}
   */
  public static String build(String issuer, String account, byte[] secret, TotpParameters parameters) {
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(parameters, "parameters");
    checkPart("issuer", issuer, 100);
    checkPart("account", account, 128);
    return "otpauth://totp/"
        + encode(issuer)
        + ":"
        + encode(account)
        + "?secret="
        + Base32.encode(secret)
        + "&issuer="
        + encode(issuer)
        + "&algorithm="
        + parameters.algorithm().name()
        + "&digits="
        + parameters.digits()
        + "&period="
        + parameters.periodSeconds();
  }

  private static void checkPart(String name, String value, int max) {
    Objects.requireNonNull(value, name);
    if (value.isEmpty() || value.length() > max) {
      throw new IllegalArgumentException(name + " must be 1-" + max + " chars, got length " + value.length());
    }
    if (value.indexOf(':') >= 0) {
      throw new IllegalArgumentException(name + " must not contain ':'");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c)
              ? i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))
              : !Character.isLowSurrogate(c) || (i > 0 && Character.isHighSurrogate(value.charAt(i - 1)));
      if (Character.isISOControl(c) || !paired) {
        throw new IllegalArgumentException(name + " must not contain control characters or lone surrogates");
      }
    }
  }

  /**
   * RFC 3986 percent-encoding of UTF-8 bytes; only {@code ALPHA / DIGIT / "-" / "." / "_" / "~"} stay literal.
   *
   * @param s the text
   * @return the encoded text
   */
  public static String encode(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        sb.append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }
}
