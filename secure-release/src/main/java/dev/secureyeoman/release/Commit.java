package dev.secureyeoman.release;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One commit of the range release notes are made from: what {@link ReleaseNotes} needs, whether it was read with JGit
 * ({@link ReleaseNotesGenerator}) or from another source such as {@code git log}.
 *
 * @param id the full object id in lower-case hex
 * @param author the author
 * @param time the author time
 * @param message the parsed message
 */
public record Commit(String id, Person author, Instant time, CommitMessage message) {
  private static final Pattern ID = Pattern.compile("[0-9a-f]{7,64}");

  /**
   * Validates the commit.
   *
   * @throws IllegalArgumentException if the id is not lower-case hex of 7 to 64 digits
   */
  public Commit {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(message, "message");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("commit id must be 7-64 lower-case hex digits, got '" + id + "'");
    }
  }

  /**
   * The id abbreviated to seven digits, as shown in the notes.
   *
   * @return the short id
   */
  public String shortId() {
    return id.substring(0, 7);
  }
}
