package dev.secureyeoman.auth.totp;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/** RFC 4648 Base32 (upper-case alphabet, no padding on output), as used by {@code otpauth://} secrets. */
public final class Base32 {
  private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  private Base32() {}

  /**
   * Encodes bytes without padding.
   *
   * @param data the bytes
   * @return upper-case Base32
   */
  public static String encode(byte[] data) {
    StringBuilder sb = new StringBuilder((data.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        sb.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) {
      sb.append(ALPHABET[(buffer << (5 - bits)) & 31]);
    }
    return sb.toString();
  }

  /**
   * Decodes Base32, ignoring case, spaces, dashes and trailing {@code =} padding.
   *
   * @param text the Base32 text
   * @return the bytes
   * @throws IllegalArgumentException if a character is outside the alphabet or the length is impossible
   */
  public static byte[] decode(String text) {
    String s = text.replace(" ", "").replace("-", "").toUpperCase(Locale.ROOT);
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '=') {
      end--;
    }
    int rem = end % 8;
    if (rem == 1 || rem == 3 || rem == 6) {
      throw new IllegalArgumentException("secret is not valid Base32 (impossible length)");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(end * 5 / 8);
    int buffer = 0;
    int bits = 0;
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      int v;
      if (c >= 'A' && c <= 'Z') {
        v = c - 'A';
      } else if (c >= '2' && c <= '7') {
        v = c - '2' + 26;
      } else {
        throw new IllegalArgumentException("secret is not valid Base32 (character at index " + i + ")");
      }
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >>> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }
}
