package dev.secureyeoman.core.crypto;

import dev.secureyeoman.core.SecureYeomanException;

/**
 * An envelope could not be opened. The {@link #reason()} is coarse on purpose: it tells an operator what to do (find the
 * right key, restore a backup, upgrade) without giving an attacker an oracle. Messages are fixed per reason and never
 * contain key material or plaintext.
 */
public final class EnvelopeException extends SecureYeomanException {
  private static final long serialVersionUID = 1L;

  /** Why an envelope was rejected. */
  public enum Reason {
    /** Not a SecureYeoman envelope, or a field holds a value the format forbids. */
    MALFORMED("not a valid SecureYeoman envelope"),
    /** The envelope declares a format version this library does not read. */
    UNSUPPORTED_VERSION("unsupported envelope version"),
    /** The envelope ends before the length its header declares. */
    TRUNCATED("envelope is truncated"),
    /** The envelope or a declared length exceeds the configured limit. */
    TOO_LARGE("envelope exceeds the size limit"),
    /** The stored key-derivation cost exceeds the configured bound (refused before any allocation). */
    KDF_COST_TOO_HIGH("key-derivation cost in envelope exceeds the allowed bound"),
    /** No recipient matches the key, or the key does not unwrap the data key. */
    WRONG_KEY("decryption failed: wrong key"),
    /** The data key was recovered but the header, ciphertext or associated data do not authenticate. */
    TAMPERED("decryption failed: envelope was modified or associated data differs");

    private final String message;

    Reason(String message) {
      this.message = message;
    }

    /**
     * Returns the fixed, secret-free message for this reason.
     *
     * @return the message
     */
    public String message() {
      return message;
    }
  }

  private final Reason reason;

  /**
   * Creates the exception with the reason's fixed message.
   *
   * @param reason why the envelope was rejected
   */
  public EnvelopeException(Reason reason) {
    super(reason.message());
    this.reason = reason;
  }

  /**
   * Creates the exception with the reason's fixed message and a non-secret detail (for example a bound that was hit).
   *
   * @param reason why the envelope was rejected
   * @param detail context without secrets
   */
  public EnvelopeException(Reason reason, String detail) {
    super(reason.message() + ": " + detail);
    this.reason = reason;
  }

  /**
   * Returns why the envelope was rejected.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }
}
