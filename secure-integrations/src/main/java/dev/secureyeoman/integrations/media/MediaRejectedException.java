package dev.secureyeoman.integrations.media;

import dev.secureyeoman.core.SecureYeomanException;
import java.util.Objects;

/**
 * A download was refused or failed; nothing of it is left on disk. Callers switch on {@link #reason()} rather than parse
 * the message. Messages name the platform and the host, never the URL path or query (Telegram puts the bot token in the
 * path) and never a token.
 */
public final class MediaRejectedException extends SecureYeomanException {
  private static final long serialVersionUID = 1L;

  /** Why a download was refused. */
  public enum Reason {
    /** The declared size, the {@code Content-Length} or the bytes actually received exceed the policy's maximum. */
    TOO_LARGE,
    /** The URL's host is not on the platform's allowlist (or the platform has no allowlist). */
    HOST_NOT_ALLOWED,
    /** The host is, or resolves to, a loopback, private, link-local, unique-local, reserved or IPv4-mapped address. */
    PRIVATE_ADDRESS,
    /** Not {@code https} (plain {@code http} only towards loopback ports enabled for testing). */
    INSECURE_SCHEME,
    /** The URL is malformed, has user info, a non-canonical numeric host, or an unusable redirect target. */
    INVALID_URL,
    /** More redirects than the policy allows. */
    TOO_MANY_REDIRECTS,
    /** The sniffed content type contradicts the declared one. */
    TYPE_MISMATCH,
    /** The sniffed content type is not allowed by the policy (executables by default). */
    TYPE_NOT_ALLOWED,
    /** The received size differs from the declared size. */
    SIZE_MISMATCH,
    /** The content scanner found malware. */
    INFECTED,
    /** The content scanner failed and the policy fails closed. */
    SCAN_FAILED,
    /** The host name could not be resolved. */
    RESOLUTION_FAILED,
    /** Connection, TLS, timeout, HTTP status or protocol failure. */
    DOWNLOAD_FAILED,
    /** Too many downloads or open handles at once (disk-filling defence). */
    BUSY
  }

  private final Reason reason;

  /**
   * Creates an exception.
   *
   * @param reason why
   * @param message context without secrets
   */
  public MediaRejectedException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Creates an exception with a cause.
   *
   * @param reason why
   * @param message context without secrets
   * @param cause the underlying failure (its message must not carry secrets either)
   */
  public MediaRejectedException(Reason reason, String message, Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Returns why the download was refused.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }
}
