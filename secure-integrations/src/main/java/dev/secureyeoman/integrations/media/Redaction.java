package dev.secureyeoman.integrations.media;

import java.net.URI;

/** Log-safe renderings of URLs and untrusted strings. */
final class Redaction {
  private Redaction() {}

  /** {@code scheme://host[:port]} without user info, path or query. */
  static String origin(URI url) {
    String host = url.getHost() == null ? "?" : printable(url.getHost(), 255);
    return (url.getScheme() == null ? "?" : printable(url.getScheme(), 16))
        + "://"
        + host
        + (url.getPort() >= 0 ? ":" + url.getPort() : "");
  }

  /** Replaces control and non-ASCII characters by {@code ?} and truncates. */
  static String printable(String s, int max) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), max));
    for (int i = 0; i < s.length() && i < max; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    if (s.length() > max) {
      b.append('…');
    }
    return b.toString();
  }
}
