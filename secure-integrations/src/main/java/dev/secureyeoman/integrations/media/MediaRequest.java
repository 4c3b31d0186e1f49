package dev.secureyeoman.integrations.media;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.integrations.media.internal.FileNames;
import dev.secureyeoman.integrations.media.internal.Redaction;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * One file to download: where from, for which platform, and what the platform declared about it. Adapters build it from a
 * platform's attachment reference (Telegram {@code getFile} path, Discord attachment URL, Slack
 * {@code url_private_download} with the bot token).
 *
 * <p>{@link #toString()} shows the platform, scheme, host and declarations but never the URL path or query (Telegram's
 * file URLs carry the bot token in the path) nor the bearer token. The platform's file name is metadata only: it never
 * becomes part of a path on disk.
 */
public final class MediaRequest {
  private final String platform;
  private final URI url;
  private final long declaredSize;
  private final @Nullable String declaredType;
  private final @Nullable String fileName;
  private final @Nullable SecretBytes bearerToken;

  private MediaRequest(Builder b) {
    this.platform = b.platform;
    this.url = b.url;
    this.declaredSize = b.declaredSize;
    this.declaredType = b.declaredType;
    this.fileName = b.fileName;
    this.bearerToken = b.bearerToken;
  }

  /**
   * Starts a request.
   *
   * @param platform platform id whose host allowlist applies ({@code telegram}, {@code discord}, {@code slack}, …)
   * @param url the absolute file URL
   * @return a builder
   */
  public static Builder builder(String platform, URI url) {
    return new Builder(platform, url);
  }

  /**
   * Returns the platform id.
   *
   * @return the platform
   */
  public String platform() {
    return platform;
  }

  /**
   * Returns the URL (may contain secrets in its path: do not log it).
   *
   * @return the URL
   */
  public URI url() {
    return url;
  }

  /**
   * Returns the size the platform declared, if any.
   *
   * @return the declared size in bytes
   */
  public OptionalLong declaredSize() {
    return declaredSize < 0 ? OptionalLong.empty() : OptionalLong.of(declaredSize);
  }

  /**
   * Returns the content type the platform declared, if any.
   *
   * @return the declared type as given
   */
  public Optional<String> declaredType() {
    return Optional.ofNullable(declaredType);
  }

  /**
   * Returns the platform's file name reduced to a safe base name (see {@link Builder#fileName(String)}).
   *
   * @return the safe base name, empty when none was given or nothing usable remained
   */
  public Optional<String> fileName() {
    return Optional.ofNullable(fileName);
  }

  /**
   * Returns the bearer token sent to the first host (and to redirects on the same origin only).
   *
   * @return the token holder, owned by the caller
   */
  public Optional<SecretBytes> bearerToken() {
    return Optional.ofNullable(bearerToken);
  }

  @Override
  public String toString() {
    return "MediaRequest["
        + platform
        + " "
        + Redaction.origin(url)
        + "/██"
        + (declaredSize >= 0 ? ", declaredSize=" + declaredSize : "")
        + (declaredType != null ? ", declaredType=" + Redaction.printable(declaredType, 100) : "")
        + (bearerToken != null ? ", bearer=██" : "")
        + "]";
  }

  /** Builder for {@link MediaRequest}. */
  public static final class Builder {
    private final String platform;
    private final URI url;
    private long declaredSize = -1;
    private @Nullable String declaredType;
    private @Nullable String fileName;
    private @Nullable SecretBytes bearerToken;

    private Builder(String platform, URI url) {
      if (platform == null || !platform.matches("[a-z][a-z0-9_-]{0,127}")) {
        throw new IllegalArgumentException("platform must match [a-z][a-z0-9_-]*, got " + platform);
      }
      this.platform = platform;
      this.url = Objects.requireNonNull(url, "url");
      if (!url.isAbsolute()) {
        throw new IllegalArgumentException("url must be absolute");
      }
    }

    /**
     * Sets the size the platform declared.
     *
     * @param bytes the declared size, ≥ 0
     * @return this builder
     */
    public Builder declaredSize(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("declaredSize must be >= 0, got " + bytes);
      }
      declaredSize = bytes;
      return this;
    }

    /**
     * Sets the content type the platform declared.
     *
     * @param type for example {@code image/jpeg}; may be null
     * @return this builder
     */
    public Builder declaredType(String type) {
      declaredType = type;
      return this;
    }

    /**
     * Sets the platform's file name (metadata only; it never reaches a path of the handler). It is kept as a safe
     * base name: directory parts, control, format (bidi overrides, zero-width) and line-separator characters and
     * leading or trailing dots are removed, a Windows device name gets a {@code _} prefix, and the result is at most
     * 255 UTF-8 bytes with its extension kept — so it can be displayed, logged and saved under without a second check.
     *
     * @param name any string; may be null
     * @return this builder
     */
    public Builder fileName(String name) {
      fileName = FileNames.safe(name);
      return this;
    }

    /**
     * Sets a bearer token ({@code Authorization: Bearer}), for example Slack's bot token. It is sent only to the first
     * URL's origin and dropped on any redirect to another origin.
     *
     * @param token the token; the caller keeps ownership and must keep it open until the download returns
     * @return this builder
     */
    public Builder bearerToken(SecretBytes token) {
      bearerToken = Objects.requireNonNull(token, "token");
      return this;
    }

    /**
     * Builds the request.
     *
     * @return the request
     */
    public MediaRequest build() {
      return new MediaRequest(this);
    }
  }
}
