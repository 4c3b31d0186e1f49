package dev.secureyeoman.integrations.media.internal;

import dev.secureyeoman.core.TextNeutralizer;
import dev.secureyeoman.core.TextNeutralizer.CharClass;
import dev.secureyeoman.core.TextNeutralizer.Replacement;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reduces a platform-supplied file name to a base name that is safe to display, log and use as a file name: no
 * directory part, no control, format (bidi overrides, zero-width) or line-separator characters, no leading dots, not a
 * Windows device name, at most 255 UTF-8 bytes (the extension kept), NFC-normalised.
 */
public final class FileNames {
  private static final int MAX_BYTES = 255;
  private static final Pattern DEVICE = Pattern.compile("(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\\$|conout\\$)");

  /** Control, format, line-separator, lone-surrogate, unassigned and private-use characters are dropped. */
  private static final TextNeutralizer UNSAFE_DROPPED = TextNeutralizer.builder()
      .unsafe(CharClass.CONTROL, CharClass.FORMAT, CharClass.LINE_SEPARATOR, CharClass.LONE_SURROGATE,
          CharClass.UNASSIGNED_OR_PRIVATE_USE)
      .replacement(Replacement.DROP).build();

  private FileNames() {}

  /**
   * Returns the safe base name of {@code name}.
   *
   * @param name the untrusted name, may be null
   * @return the safe name, or null when nothing usable remains
   */
  public static @Nullable String safe(@Nullable String name) {
    if (name == null) {
      return null;
    }
    String s = name.length() > 4096 ? name.substring(0, 4096) : name;
    int slash = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
    s = s.substring(slash + 1);
    s = Normalizer.normalize(UNSAFE_DROPPED.neutralize(s), Normalizer.Form.NFC).strip();
    int lead = 0;
    while (lead < s.length() && (s.charAt(lead) == '.' || Character.isWhitespace(s.charAt(lead)))) {
      lead++;
    }
    s = s.substring(lead);
    int trail = s.length();
    while (trail > 0 && (s.charAt(trail - 1) == '.' || Character.isWhitespace(s.charAt(trail - 1)))) {
      trail--;
    }
    s = s.substring(0, trail);
    if (s.isEmpty()) {
      return null;
    }
    int dot = s.indexOf('.');
    String stem = (dot < 0 ? s : s.substring(0, dot)).strip().toLowerCase(Locale.ROOT);
    if (DEVICE.matcher(stem).matches()) {
      s = "_" + s;
    }
    return truncate(s);
  }

  private static String truncate(String s) {
    if (s.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES) {
      return s;
    }
    int dot = s.lastIndexOf('.');
    String ext = dot > 0 && s.length() - dot <= 16 ? s.substring(dot) : "";
    String stem = ext.isEmpty() ? s : s.substring(0, dot);
    int budget = MAX_BYTES - ext.getBytes(StandardCharsets.UTF_8).length;
    StringBuilder b = new StringBuilder();
    int used = 0;
    for (int i = 0; i < stem.length(); ) {
      int cp = stem.codePointAt(i);
      int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (used + len > budget) {
        break;
      }
      b.appendCodePoint(cp);
      used += len;
      i += Character.charCount(cp);
    }
    return b + ext;
  }
}
