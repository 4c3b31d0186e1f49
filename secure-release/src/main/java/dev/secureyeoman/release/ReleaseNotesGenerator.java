package dev.secureyeoman.release;

import dev.secureyeoman.release.internal.GitHistory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Makes {@link ReleaseNotes} from a git repository, read with JGit (no {@code git} process is started).
 *
 * <pre>{@code
 * ReleaseNotes notes = ReleaseNotesGenerator.builder()
 *     .repository(Path.of("."))
 *     .repositoryUrl(URI.create("https://github.com/acme/app"))
 *     .build()
 *     .generate();
 * System.out.print(notes.toMarkdown());
 * }</pre>
 *
 * <p>Range: from {@code from} (default: the newest tag reachable from {@code to}, not counting tags on {@code to}
 * itself; the whole history when there is none) to {@code to} (default {@code HEAD}), like {@code git log from..to}.
 * Annotated tags are peeled to their commits. The title is the tag on {@code to} (the release being made) with its date,
 * or "Unreleased" with today's date from the {@link Clock}. Merge commits are skipped unless
 * {@link Builder#includeMerges(boolean)}. A shallow clone whose boundary the range reaches is refused
 * ({@link ReleaseNotesException.Reason#SHALLOW_CLONE}) rather than producing notes that silently miss commits.
 *
 * <p>Instances are immutable and may be reused; each {@link #generate()} opens and closes the repository.
 */
public final class ReleaseNotesGenerator {
  private final Path repository;
  private final @Nullable String from;
  private final String to;
  private final @Nullable URI repositoryUrl;
  private final SectionLayout layout;
  private final boolean includeMerges;
  private final Clock clock;

  private ReleaseNotesGenerator(Builder b) {
    this.repository = b.repository;
    this.from = b.from;
    this.to = b.to;
    this.repositoryUrl = b.repositoryUrl;
    this.layout = b.layout;
    this.includeMerges = b.includeMerges;
    this.clock = b.clock;
  }

  /**
   * Starts a generator for the current directory's repository.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the range and groups it.
   *
   * @return the release notes
   * @throws ReleaseNotesException if the directory is not a repository, a revision is unknown, the range is invalid,
   *     the clone is too shallow, or reading fails
   */
  public ReleaseNotes generate() throws ReleaseNotesException {
    try (GitHistory history = GitHistory.open(repository)) {
      GitHistory.Range range = history.read(from, to, includeMerges);
      LocalDate date = range.versionDate() != null ? range.versionDate() : LocalDate.now(clock);
      return ReleaseNotes.builder()
          .title(range.version() != null ? range.version() : "Unreleased")
          .date(date)
          .from(range.fromName())
          .to(range.toName())
          .repositoryUrl(repositoryUrl)
          .layout(layout)
          .mailmap(range.mailmap())
          .commits(range.commits())
          .build();
    }
  }

  /** Builds a {@link ReleaseNotesGenerator}; each option may be set once. */
  public static final class Builder {
    private Path repository = Path.of(".");
    private @Nullable String from;
    private String to = "HEAD";
    private @Nullable URI repositoryUrl;
    private SectionLayout layout = SectionLayout.defaults();
    private boolean includeMerges;
    private Clock clock = Clock.systemUTC();
    private boolean repositorySet;
    private boolean toSet;

    private Builder() {}

    /**
     * Sets the repository: a work tree, a directory inside one, or a bare repository (default {@code .}).
     *
     * @param value the directory
     * @return this builder
     */
    public Builder repository(Path value) {
      Objects.requireNonNull(value, "repository");
      if (repositorySet) {
        throw new IllegalStateException("repository already set to " + repository);
      }
      repositorySet = true;
      repository = value;
      return this;
    }

    /**
     * Sets the revision the range starts after (default: the newest reachable tag).
     *
     * @param value a tag, branch, commit id or other git revision
     * @return this builder
     */
    public Builder from(String value) {
      Objects.requireNonNull(value, "from");
      if (from != null) {
        throw new IllegalStateException("from already set to '" + from + "'");
      }
      from = checkRevision("from", value);
      return this;
    }

    /**
     * Sets the revision the range ends at (default {@code HEAD}).
     *
     * @param value a tag, branch, commit id or other git revision
     * @return this builder
     */
    public Builder to(String value) {
      Objects.requireNonNull(value, "to");
      if (toSet) {
        throw new IllegalStateException("to already set to '" + to + "'");
      }
      toSet = true;
      to = checkRevision("to", value);
      return this;
    }

    private static String checkRevision(String what, String value) {
      if (value.isBlank() || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException(what + " must be a non-blank revision without control characters");
      }
      return value;
    }

    /**
     * Sets the repository's web address for links (see {@link ReleaseNotes.Builder#repositoryUrl(URI)}).
     *
     * @param value the address
     * @return this builder
     */
    public Builder repositoryUrl(URI value) {
      Objects.requireNonNull(value, "repositoryUrl");
      if (repositoryUrl != null) {
        throw new IllegalStateException("repositoryUrl already set to " + repositoryUrl);
      }
      repositoryUrl = ReleaseNotes.Builder.checkUrl(value);
      return this;
    }

    /**
     * Sets the sections (default {@link SectionLayout#defaults()}).
     *
     * @param value the layout
     * @return this builder
     */
    public Builder layout(SectionLayout value) {
      layout = Objects.requireNonNull(value, "layout");
      return this;
    }

    /**
     * Lists merge commits too (default: skipped, since their branches' commits are listed).
     *
     * @param value whether to list merges
     * @return this builder
     */
    public Builder includeMerges(boolean value) {
      includeMerges = value;
      return this;
    }

    /**
     * Sets the clock that dates unreleased notes (default: the system clock, UTC).
     *
     * @param value the clock
     * @return this builder
     */
    public Builder clock(Clock value) {
      clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * Builds the generator.
     *
     * @return the generator
     */
    public ReleaseNotesGenerator build() {
      return new ReleaseNotesGenerator(this);
    }
  }
}
