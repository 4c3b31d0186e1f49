package dev.secureyeoman.sandbox;

import java.util.Collection;
import org.jspecify.annotations.Nullable;

/** Minimal JSON writer for the report types (no dependency for three flat objects). */
final class Json {
  private Json() {}

  static StringBuilder string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    return sb.append('"');
  }

  static StringBuilder field(StringBuilder sb, String name, @Nullable String value) {
    string(sb, name).append(':');
    return value == null ? sb.append("null") : string(sb, value);
  }

  static StringBuilder array(StringBuilder sb, String name, Collection<String> values) {
    string(sb, name).append(":[");
    boolean first = true;
    for (String v : values) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      string(sb, v);
    }
    return sb.append(']');
  }
}
