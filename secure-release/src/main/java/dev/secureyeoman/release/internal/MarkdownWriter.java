package dev.secureyeoman.release.internal;

import dev.secureyeoman.release.Commit;
import dev.secureyeoman.release.ReleaseNotes;
import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Renders {@link ReleaseNotes} as GitHub-flavoured Markdown; commit text is escaped, never trusted as markup. */
public final class MarkdownWriter {
  private static final Pattern PULL_REQUEST = Pattern.compile("\\(#([0-9]{1,9})\\)");
  private static final Pattern BLOCK_START =
      Pattern.compile("(#|[-+*](?=\\s|$)|[-*_](?=[-*_\\s]*$)|```|~~~|[0-9]{1,9}[.)](?=\\s|$))");

  private MarkdownWriter() {}

  /**
   * Renders the notes.
   *
   * @param notes the notes
   * @return Markdown ending with a line break
   */
  public static String write(ReleaseNotes notes) {
    URI url = notes.repositoryUrl().orElse(null);
    StringBuilder sb = new StringBuilder(4096);
    sb.append("## ").append(escape(notes.title())).append(" (").append(notes.date()).append(")\n");
    if (url != null && notes.from().isPresent() && notes.to().isPresent()) {
      String range = notes.from().get() + "..." + notes.to().get();
      sb.append("\n**Full changelog:** [")
          .append(escape(range))
          .append("](")
          .append(url)
          .append("/compare/")
          .append(pathSegment(notes.from().get()))
          .append("...")
          .append(pathSegment(notes.to().get()))
          .append(")\n");
    }
    if (notes.breakingChanges().entries().isEmpty() && notes.sections().isEmpty()) {
      sb.append("\nNo changes.\n");
    }
    if (!notes.breakingChanges().entries().isEmpty()) {
      section(sb, notes.breakingChanges(), url);
    }
    for (ReleaseNotes.Section s : notes.sections()) {
      section(sb, s, url);
    }
    if (!notes.contributors().isEmpty()) {
      sb.append("\n### ").append(escape(notes.layout().contributorsTitle())).append("\n\n");
      for (String name : notes.contributors()) {
        sb.append("- ").append(escapeStart(escape(name))).append('\n');
      }
    }
    return sb.toString();
  }

  private static void section(StringBuilder sb, ReleaseNotes.Section s, @Nullable URI url) {
    sb.append("\n### ").append(escape(s.title())).append("\n\n");
    for (ReleaseNotes.Entry e : s.entries()) {
      sb.append("- ");
      e.scope().ifPresent(scope -> sb.append("**").append(escape(scope)).append(":** "));
      String[] lines = e.text().split("\n", -1);
      String first = linkPullRequests(escape(lines[0]), url);
      sb.append(e.scope().isPresent() ? first : escapeStart(first));
      sb.append(' ').append(commitRef(e.commit(), url));
      for (int i = 1; i < lines.length; i++) {
        String line = escape(lines[i]);
        sb.append('\n');
        if (!line.isBlank()) {
          sb.append("  ").append(escapeStart(line)); // continuation inside the list item
        }
      }
      sb.append('\n');
    }
  }

  private static String commitRef(Commit c, @Nullable URI url) {
    if (url == null) {
      return "(" + c.shortId() + ")";
    }
    return "([" + c.shortId() + "](" + url + "/commit/" + c.id() + "))";
  }

  private static String linkPullRequests(String escaped, @Nullable URI url) {
    if (url == null) {
      return escaped;
    }
    Matcher m = PULL_REQUEST.matcher(escaped);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String n = m.group(1);
      m.appendReplacement(out, Matcher.quoteReplacement("([#" + n + "](" + url + "/pull/" + n + "))"));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * Escapes characters that would turn commit text into HTML, links, images or escapes: {@code \ < > [ ]} are
   * backslash-escaped ({@code &} too, so no entity is formed). Emphasis and code spans stay.
   */
  static String escape(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\\', '<', '>', '[', ']', '&' -> sb.append('\\').append(c);
        case '\r', '\t' -> sb.append(' ');
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Keeps a list item's text from starting a heading, list, rule or table. */
  static String escapeStart(String escaped) {
    Matcher m = BLOCK_START.matcher(escaped);
    if (m.lookingAt()) {
      String lead = m.group(1);
      return lead.substring(0, lead.length() - 1) + "\\" + escaped.substring(lead.length() - 1);
    }
    return escaped;
  }

  private static String pathSegment(String ref) {
    StringBuilder sb = new StringBuilder();
    for (byte b : ref.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~/".indexOf(c) >= 0) {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }
}
