package dev.secureyeoman.core.crypto;

import dev.secureyeoman.core.crypto.EnvelopeException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The armored (text) form of an envelope, used for encrypted configuration files:
 *
 * <pre>
 * -----BEGIN SECUREYEOMAN ENVELOPE-----
 * base64 of the binary envelope, 64 characters per line
 * -----END SECUREYEOMAN ENVELOPE-----
 * </pre>
 *
 * Lines end with {@code \n}. Only the canonical encoding is accepted (strict base64, exact line breaks), so every byte
 * of an armored file is covered by the envelope's authentication.
 */
public final class EnvelopeArmor {
  private static final String BEGIN = "-----BEGIN SECUREYEOMAN ENVELOPE-----\n";
  private static final String END = "-----END SECUREYEOMAN ENVELOPE-----\n";
  private static final byte[] BEGIN_BYTES = BEGIN.getBytes(StandardCharsets.US_ASCII);
  private static final int LINE = 64;

  private EnvelopeArmor() {}

  /**
   * Returns whether {@code data} starts with the armor header line.
   *
   * @param data file content
   * @return true for the armored form
   */
  public static boolean isArmored(byte[] data) {
    return data != null
        && data.length >= BEGIN_BYTES.length
        && Arrays.equals(data, 0, BEGIN_BYTES.length, BEGIN_BYTES, 0, BEGIN_BYTES.length);
  }

  /**
   * Encodes a binary envelope as armored text.
   *
   * @param envelope binary envelope
   * @return US-ASCII text bytes
   */
  public static byte[] armor(byte[] envelope) {
    if (envelope == null) {
      throw new IllegalArgumentException("envelope must not be null");
    }
    String b64 = Base64.getEncoder().encodeToString(envelope);
    StringBuilder sb = new StringBuilder(BEGIN.length() + END.length() + b64.length() + b64.length() / LINE + 2);
    sb.append(BEGIN);
    for (int i = 0; i < b64.length(); i += LINE) {
      sb.append(b64, i, Math.min(b64.length(), i + LINE)).append('\n');
    }
    sb.append(END);
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Decodes armored text back to the binary envelope.
   *
   * @param armored armored text
   * @param limits bounds; the text is refused before decoding if it could exceed {@link EnvelopeLimits#maxEnvelopeBytes()}
   * @return the binary envelope
   * @throws EnvelopeException {@link Reason#MALFORMED} for non-canonical text, {@link Reason#TRUNCATED} if the end line
   *     is missing, {@link Reason#TOO_LARGE} if too long
   */
  public static byte[] dearmor(byte[] armored, EnvelopeLimits limits) throws EnvelopeException {
    if (!isArmored(armored)) {
      throw new EnvelopeException(Reason.MALFORMED, "missing armor header");
    }
    long base64Chars = 4L * ((limits.maxEnvelopeBytes() + 2L) / 3);
    long maxText = base64Chars + base64Chars / LINE + 1 + BEGIN.length() + END.length();
    if (armored.length > maxText) {
      throw new EnvelopeException(Reason.TOO_LARGE, "armored text too long");
    }
    String text = new String(armored, StandardCharsets.ISO_8859_1);
    int end = text.indexOf(END.substring(0, END.length() - 1), BEGIN.length());
    if (end < 0) {
      throw new EnvelopeException(Reason.TRUNCATED, "missing armor end line");
    }
    String body = text.substring(BEGIN.length(), end).replace("\n", "");
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new EnvelopeException(Reason.MALFORMED, "invalid base64");
    }
    if (!Arrays.equals(armor(decoded), armored)) {
      throw new EnvelopeException(Reason.MALFORMED, "non-canonical armor");
    }
    return decoded;
  }
}
