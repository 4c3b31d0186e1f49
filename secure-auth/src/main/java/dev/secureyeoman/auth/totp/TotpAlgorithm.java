package dev.secureyeoman.auth.totp;

/** HMAC algorithms of RFC 6238. SHA1 is the only one every authenticator app supports. */
public enum TotpAlgorithm {
  /** HMAC-SHA1 (default, universally supported). */
  SHA1("HmacSHA1"),
  /** HMAC-SHA256. */
  SHA256("HmacSHA256"),
  /** HMAC-SHA512. */
  SHA512("HmacSHA512");

  private final String jcaName;

  TotpAlgorithm(String jcaName) {
    this.jcaName = jcaName;
  }

  /**
   * The JCA {@code Mac} algorithm name.
   *
   * @return e.g. {@code HmacSHA1}
   */
  public String jcaName() {
    return jcaName;
  }
}
