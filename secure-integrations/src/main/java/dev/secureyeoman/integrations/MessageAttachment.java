package dev.secureyeoman.integrations;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An attachment of an inbound message, as the platform declared it. Nothing here has been downloaded or checked: the
 * size and content type are the platform's (or the sender's) claims, to be verified by the media handler.
 *
 * <p>{@link #platformRef()} is how the adapter fetches the content: a Telegram {@code file_id}, a Slack
 * {@code url_private_download}, a Discord CDN URL. Such URLs can carry signatures or tokens, so {@link #toString()}
 * never shows them (only the host of a URL), and the SDK never logs them.
 *
 * @param kind what the platform says the attachment is
 * @param platformRef the platform's reference (1–4096 characters, no control characters); confidential
 * @param declaredSize the declared size in bytes, if the platform gave one (never negative)
 * @param contentType the declared media type, lower case without parameters (e.g. {@code image/png}), if given
 * @param fileName the file name the sender chose, display-only metadata (control characters replaced, at most 255
 *     characters); never use it as a path
 */
public record MessageAttachment(
    Kind kind, String platformRef, OptionalLong declaredSize, Optional<String> contentType, Optional<String> fileName) {

  private static final Pattern MEDIA_TYPE =
      Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}");

  /** Kinds of attachments the adapters distinguish. */
  public enum Kind {
    /** A picture (Telegram photo, image file). */
    IMAGE,
    /** A document or arbitrary file. */
    DOCUMENT,
    /** Audio. */
    AUDIO,
    /** A voice note. */
    VOICE,
    /** Video. */
    VIDEO,
    /** A sticker. */
    STICKER,
    /** Anything else. */
    OTHER
  }

  /** Validates the fields. */
  public MessageAttachment {
    Objects.requireNonNull(kind, "kind");
    Checks.token("platformRef", platformRef, 4096);
    Objects.requireNonNull(declaredSize, "declaredSize");
    if (declaredSize.isPresent() && declaredSize.getAsLong() < 0) {
      throw new IllegalArgumentException("declaredSize must not be negative");
    }
    Objects.requireNonNull(contentType, "contentType");
    contentType.ifPresent(
        t -> {
          if (!MEDIA_TYPE.matcher(t).matches()) {
            throw new IllegalArgumentException("contentType must be a lower-case type/subtype without parameters");
          }
        });
    Objects.requireNonNull(fileName, "fileName");
    fileName = fileName.map(n -> Checks.display(n, 255)).filter(n -> !n.isEmpty());
  }

  /**
   * Starts a builder.
   *
   * @param kind the kind
   * @param platformRef the platform's reference
   * @return a builder
   */
  public static Builder builder(Kind kind, String platformRef) {
    return new Builder(kind, platformRef);
  }

  /**
   * Normalises a declared {@code Content-Type}: lower case, parameters removed; empty if it is not a valid media type
   * (a platform's bad declaration is not an error, only unknown).
   *
   * @param declared the declared value, may be null
   * @return the media type, or empty
   */
  public static Optional<String> normalizeContentType(@Nullable String declared) {
    if (declared == null) {
      return Optional.empty();
    }
    int semi = declared.indexOf(';');
    String t = (semi >= 0 ? declared.substring(0, semi) : declared).strip().toLowerCase(Locale.ROOT);
    return MEDIA_TYPE.matcher(t).matches() ? Optional.of(t) : Optional.empty();
  }

  /** Shows kind, size, type and name; of the reference only the host of a URL (references may carry tokens). */
  @Override
  public String toString() {
    return "MessageAttachment[kind=" + kind + ", ref=" + redactedRef() + ", declaredSize="
        + (declaredSize.isPresent() ? declaredSize.getAsLong() : "unknown") + ", contentType="
        + contentType.orElse("unknown") + ", fileName=" + fileName.orElse("") + "]";
  }

  private String redactedRef() {
    try {
      URI uri = new URI(platformRef);
      if (uri.getScheme() != null && uri.getHost() != null) {
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost() + "/██";
      }
    } catch (java.net.URISyntaxException e) {
      // not a URL: fall through
    }
    return "██";
  }

  /** Builder; lenient with platform-declared metadata (invalid types become unknown), strict with the reference. */
  public static final class Builder {
    private final Kind kind;
    private final String platformRef;
    private OptionalLong declaredSize = OptionalLong.empty();
    private Optional<String> contentType = Optional.empty();
    private Optional<String> fileName = Optional.empty();

    private Builder(Kind kind, String platformRef) {
      this.kind = kind;
      this.platformRef = platformRef;
    }

    /**
     * Sets the declared size.
     *
     * @param bytes the size in bytes; negative means unknown
     * @return this builder
     */
    public Builder declaredSize(long bytes) {
      this.declaredSize = bytes < 0 ? OptionalLong.empty() : OptionalLong.of(bytes);
      return this;
    }

    /**
     * Sets the declared content type (normalised with {@link #normalizeContentType(String)}).
     *
     * @param declared the declared type, may be null
     * @return this builder
     */
    public Builder contentType(@Nullable String declared) {
      this.contentType = normalizeContentType(declared);
      return this;
    }

    /**
     * Sets the sender's file name (display-only metadata).
     *
     * @param name the name, may be null
     * @return this builder
     */
    public Builder fileName(@Nullable String name) {
      this.fileName = Optional.ofNullable(name);
      return this;
    }

    /**
     * Builds the attachment.
     *
     * @return the attachment
     */
    public MessageAttachment build() {
      return new MessageAttachment(kind, platformRef, declaredSize, contentType, fileName);
    }
  }
}
