package dev.secureyeoman.release;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the output of {@code git log --format=}{@value #FORMAT}: the way to feed commits to {@link ReleaseNotes} from
 * a {@code git} process instead of JGit (and the baseline the JGit reader is measured against).
 *
 * <pre>
 * git log --no-merges --format='%H%x00%an%x00%ae%x00%at%x00%B%x1e' v1.0.0..HEAD
 * </pre>
 */
public final class GitLogFormat {
  /** The {@code --format} argument: id, author name, author e-mail, author time, raw message, record separator. */
  public static final String FORMAT = "%H%x00%an%x00%ae%x00%at%x00%B%x1e";

  private GitLogFormat() {}

  /**
   * Parses {@code git log} output written with {@link #FORMAT}.
   *
   * @param output the whole output
   * @return the commits in output order
   * @throws IllegalArgumentException if a record does not have the five fields of {@link #FORMAT}
   */
  public static List<Commit> parse(CharSequence output) {
    List<Commit> out = new ArrayList<>();
    String s = output.toString();
    int start = 0;
    while (start < s.length()) {
      int end = s.indexOf('\u001e', start);
      if (end < 0) {
        end = s.length();
      }
      String record = s.substring(start, end);
      start = end + 1;
      if (record.isBlank()) {
        continue;
      }
      String[] f = record.split("\u0000", 5);
      if (f.length != 5) {
        throw new IllegalArgumentException("git log record without the 5 fields of " + FORMAT);
      }
      String id = f[0].strip().toLowerCase(Locale.ROOT);
      long seconds;
      try {
        seconds = Long.parseLong(f[3].strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("git log record " + id + " has no author time", e);
      }
      String message = f[4].endsWith("\n") ? f[4].substring(0, f[4].length() - 1) : f[4];
      out.add(new Commit(id, new Person(f[1], f[2]), Instant.ofEpochSecond(seconds), CommitMessage.parse(message)));
    }
    return out;
  }
}
