package dev.secureyeoman.auth.totp;

import java.time.Instant;
import java.util.Objects;

/**
 * A pending TOTP enrollment: show the QR code (or the manual key) once, then confirm with the first code before {@link
 * #expiresAt()}. {@link #toString()} hides the secret-bearing fields.
 *
 * @param otpauthUri the {@code otpauth://totp/} URI (contains the secret)
 * @param manualEntryKey Base32 secret for manual entry
 * @param qrPng QR code of the URI as PNG
 * @param qrDataUri the PNG as a {@code data:} URI
 * @param parameters algorithm, digits and period the app must use
 * @param expiresAt when the pending secret expires
 */
public record TotpEnrollment(
    String otpauthUri,
    String manualEntryKey,
    byte[] qrPng,
    String qrDataUri,
    TotpParameters parameters,
    Instant expiresAt) {

  /** Validates and copies. */
  public TotpEnrollment {
    Objects.requireNonNull(otpauthUri, "otpauthUri");
    Objects.requireNonNull(manualEntryKey, "manualEntryKey");
    Objects.requireNonNull(qrDataUri, "qrDataUri");
    Objects.requireNonNull(parameters, "parameters");
    Objects.requireNonNull(expiresAt, "expiresAt");
    qrPng = qrPng.clone();
  }

  /**
   * A copy of the PNG bytes.
   *
   * @return PNG bytes
   */
  @Override
  public byte[] qrPng() {
    return qrPng.clone();
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }

  @Override
  public String toString() {
    return "TotpEnrollment[otpauthUri=██, manualEntryKey=██, parameters=" + parameters + ", expiresAt=" + expiresAt + "]";
  }
}
