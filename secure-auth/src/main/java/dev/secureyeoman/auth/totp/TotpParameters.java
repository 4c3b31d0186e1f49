package dev.secureyeoman.auth.totp;

import java.util.Objects;

/**
 * TOTP parameters (RFC 6238): algorithm, number of digits, time step.
 *
 * @param algorithm HMAC algorithm
 * @param digits 6 or 8
 * @param periodSeconds time step in seconds, 10 to 300
 */
public record TotpParameters(TotpAlgorithm algorithm, int digits, int periodSeconds) {

  /** Validates the fields. */
  public TotpParameters {
    Objects.requireNonNull(algorithm, "algorithm");
    if (digits != 6 && digits != 8) {
      throw new IllegalArgumentException("digits must be 6 or 8, got " + digits);
    }
    if (periodSeconds < 10 || periodSeconds > 300) {
      throw new IllegalArgumentException("periodSeconds must be in [10, 300], got " + periodSeconds);
    }
  }

  /**
   * SHA1, 6 digits, 30 s: what every authenticator app supports.
   *
   * @return the default parameters
   */
  public static TotpParameters defaults() {
    return new TotpParameters(TotpAlgorithm.SHA1, 6, 30);
  }
}
