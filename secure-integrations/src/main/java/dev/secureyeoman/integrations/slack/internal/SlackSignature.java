package dev.secureyeoman.integrations.slack.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Slack request signatures, version {@code v0}: {@code X-Slack-Signature = "v0=" + hex(HMAC-SHA256(signing secret,
 * "v0:" + X-Slack-Request-Timestamp + ":" + raw body))}; the timestamp must be within the window of now.
 */
public final class SlackSignature {
  /** Outcomes. */
  public enum Verdict {
    /** Authentic and fresh. */
    VALID,
    /** Header missing or malformed. */
    MALFORMED,
    /** The MAC does not match. */
    BAD_SIGNATURE,
    /** Authentic but outside the timestamp window. */
    STALE
  }

  private SlackSignature() {}

  /**
   * Computes the signature header value.
   *
   * @param secret the signing secret
   * @param timestamp the timestamp header value
   * @param body the raw body
   * @return {@code v0=<hex>}
   */
  public static String sign(byte[] secret, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.US_ASCII));
      return "v0=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /**
   * Verifies a request.
   *
   * @param secret the signing secret
   * @param timestamp {@code X-Slack-Request-Timestamp}, may be null
   * @param signature {@code X-Slack-Signature}, may be null
   * @param body the raw body
   * @param now the current time
   * @param window the allowed distance between the timestamp and now
   * @return the verdict
   */
  public static Verdict verify(
      byte[] secret,
      @Nullable String timestamp,
      @Nullable String signature,
      byte[] body,
      Instant now,
      Duration window) {
    if (timestamp == null || signature == null || !timestamp.matches("[0-9]{1,12}")
        || !signature.matches("v0=[0-9a-f]{64}")) {
      return Verdict.MALFORMED;
    }
    byte[] expected = sign(secret, timestamp, body).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
      return Verdict.BAD_SIGNATURE;
    }
    long age = Math.abs(now.getEpochSecond() - Long.parseLong(timestamp));
    return age > window.toSeconds() ? Verdict.STALE : Verdict.VALID;
  }
}
