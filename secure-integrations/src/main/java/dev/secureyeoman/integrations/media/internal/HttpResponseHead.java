package dev.secureyeoman.integrations.media.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A parsed HTTP/1.x response head (status line and header fields), read with hard limits: the head may not exceed
 * {@link #MAX_HEAD_BYTES} bytes or {@link #MAX_FIELDS} fields, lines end in CRLF, and obsolete line folding, bare CR,
 * NUL and malformed field names are refused.
 *
 * @param status the status code (100..599)
 * @param fields header fields, names in lower case, values trimmed, in arrival order
 */
public record HttpResponseHead(int status, Map<String, List<String>> fields) {

  /** Largest accepted response head. */
  public static final int MAX_HEAD_BYTES = 32 * 1024;

  /** Largest accepted number of header fields. */
  public static final int MAX_FIELDS = 128;

  /**
   * Returns the single value of a field.
   *
   * @param name lower-case field name
   * @return the value, or null when absent
   * @throws ProtocolException if the field occurs more than once with different values
   */
  public @Nullable String single(String name) throws ProtocolException {
    List<String> values = fields.get(name);
    if (values == null) {
      return null;
    }
    String first = values.get(0);
    for (String v : values) {
      if (!v.equals(first)) {
        throw new ProtocolException("conflicting " + name + " fields");
      }
    }
    return first;
  }

  /**
   * Reads a head from {@code in}, leaving the stream at the first body byte.
   *
   * @param in the connection's input
   * @return the head
   * @throws IOException on I/O errors, EOF, or a malformed or oversized head ({@link ProtocolException})
   */
  public static HttpResponseHead read(InputStream in) throws IOException {
    int[] budget = {MAX_HEAD_BYTES};
    String statusLine = readLine(in, budget);
    int status = parseStatusLine(statusLine);
    Map<String, List<String>> fields = new LinkedHashMap<>();
    int count = 0;
    while (true) {
      String line = readLine(in, budget);
      if (line.isEmpty()) {
        break;
      }
      if (++count > MAX_FIELDS) {
        throw new ProtocolException("too many header fields");
      }
      char first = line.charAt(0);
      if (first == ' ' || first == '\t') {
        throw new ProtocolException("obsolete line folding");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new ProtocolException("malformed header field");
      }
      String name = line.substring(0, colon);
      for (int i = 0; i < name.length(); i++) {
        if (!isTokenChar(name.charAt(i))) {
          throw new ProtocolException("malformed header field name");
        }
      }
      String value = line.substring(colon + 1).strip();
      fields.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(value);
    }
    Map<String, List<String>> frozen = new LinkedHashMap<>();
    fields.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
    return new HttpResponseHead(status, Collections.unmodifiableMap(frozen));
  }

  /**
   * Parses {@code HTTP/1.1 200 OK} (or {@code HTTP/1.0}).
   *
   * @param line the status line without CRLF
   * @return the status code
   * @throws ProtocolException if malformed
   */
  static int parseStatusLine(String line) throws ProtocolException {
    if (!(line.startsWith("HTTP/1.1 ") || line.startsWith("HTTP/1.0 ")) || line.length() < 12) {
      throw new ProtocolException("malformed status line");
    }
    int status = 0;
    for (int i = 9; i < 12; i++) {
      char c = line.charAt(i);
      if (c < '0' || c > '9') {
        throw new ProtocolException("malformed status code");
      }
      status = status * 10 + (c - '0');
    }
    if (status < 100 || status > 599 || (line.length() > 12 && line.charAt(12) != ' ')) {
      throw new ProtocolException("malformed status code");
    }
    return status;
  }

  /**
   * Reads one CRLF-terminated line of ISO-8859-1 text, charging its bytes to {@code budget[0]}.
   *
   * @param in the input
   * @param budget remaining bytes allowed (decremented)
   * @return the line without CRLF
   * @throws IOException on EOF, bare CR or LF, NUL, or exhausted budget
   */
  static String readLine(InputStream in, int[] budget) throws IOException {
    StringBuilder b = new StringBuilder(64);
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed inside the response head");
      }
      if (--budget[0] < 0) {
        throw new ProtocolException("response head too large");
      }
      if (c == '\r') {
        int n = in.read();
        if (--budget[0] < 0) {
          throw new ProtocolException("response head too large");
        }
        if (n != '\n') {
          throw new ProtocolException("bare CR in response head");
        }
        return b.toString();
      }
      if (c == '\n' || c == 0) {
        throw new ProtocolException("bare LF or NUL in response head");
      }
      b.append((char) c);
    }
  }

  private static boolean isTokenChar(char c) {
    return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
  }

  /**
   * Returns the bytes of an ISO-8859-1 string (for writing request heads).
   *
   * @param s the text
   * @return its bytes
   */
  static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
