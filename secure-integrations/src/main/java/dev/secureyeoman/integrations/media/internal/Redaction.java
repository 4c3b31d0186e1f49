package dev.secureyeoman.integrations.media.internal;

import java.net.URI;

/** Log-safe renderings of URLs and untrusted strings. */
public final class Redaction {
  private Redaction() {}

  /**
   * Renders {@code scheme://host[:port]} without user info, path or query.
   *
   * @param url any URL
   * @return the printable origin
   */
  public static String origin(URI url) {
    String host = url.getHost() == null ? "?" : printable(url.getHost(), 255);
    return (url.getScheme() == null ? "?" : printable(url.getScheme(), 16))
        + "://"
        + host
        + (url.getPort() >= 0 ? ":" + url.getPort() : "");
  }

  /**
   * Replaces control and non-ASCII characters by {@code ?} and truncates.
   *
   * @param s untrusted text
   * @param max most characters kept
   * @return the printable text
   */
  public static String printable(String s, int max) {
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
