package dev.secureyeoman.release;

import dev.secureyeoman.release.internal.MarkdownWriter;
import java.net.URI;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.NavigableSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Release notes for one range of commits, grouped by {@link SectionLayout} and rendered as Markdown for GitHub Releases
 * by {@link #toMarkdown()}.
 *
 * <p>Grouping rules: breaking changes are listed first, once per {@code BREAKING CHANGE} footer (or once with the
 * description when only {@code !} marks them), and the commit also appears under its type; a commit and its revert that
 * are both in the range cancel out and neither is listed (as conventional-changelog does); contributors are the
 * authors and {@code Co-authored-by} co-authors of the listed commits, mapped through the {@link Mailmap} and listed
 * once per name (like {@code git shortlog}), sorted by name. Entries keep the order of the input (newest first when it
 * comes from {@link ReleaseNotesGenerator}).
 */
public final class ReleaseNotes {

  /**
   * One line of the notes.
   *
   * @param commit the commit it comes from
   * @param scope the scope shown in bold, if any
   * @param text the text: the description, a breaking-change explanation, or the subject for "other" commits
   */
  public record Entry(Commit commit, Optional<String> scope, String text) {
    /** Validates the entry. */
    public Entry {
      Objects.requireNonNull(commit, "commit");
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(text, "text");
    }
  }

  /**
   * A titled group of entries.
   *
   * @param title the heading text
   * @param entries the entries, never empty
   */
  public record Section(String title, List<Entry> entries) {
    /** Copies the entries. */
    public Section {
      Objects.requireNonNull(title, "title");
      entries = List.copyOf(entries);
    }
  }

  private final String title;
  private final LocalDate date;
  private final @Nullable String from;
  private final @Nullable String to;
  private final @Nullable URI repositoryUrl;
  private final SectionLayout layout;
  private final Section breakingChanges;
  private final List<Section> sections;
  private final List<String> contributors;
  private final int commitCount;

  private ReleaseNotes(Builder b, List<Commit> commits) {
    this.title = b.title;
    this.date = Objects.requireNonNull(b.date, "build() requires a date");
    this.from = b.from;
    this.to = b.to;
    this.repositoryUrl = b.repositoryUrl;
    this.layout = b.layout;
    this.commitCount = commits.size();

    List<Entry> breaking = new ArrayList<>();
    Map<String, List<Entry>> byTitle = new LinkedHashMap<>();
    for (SectionLayout.Section s : layout.sections()) {
      byTitle.put(s.title(), new ArrayList<>());
    }
    List<Entry> other = new ArrayList<>();
    Map<String, String> names = new TreeMap<>();
    for (Commit c : commits) {
      CommitMessage m = c.message();
      if (m.isBreaking()) {
        List<String> texts = m.breakingChanges();
        for (String t : texts.isEmpty() ? List.of(m.description()) : texts) {
          breaking.add(new Entry(c, m.scope(), t));
        }
      }
      Optional<String> sectionTitle = m.type().flatMap(layout::titleFor);
      if (sectionTitle.isPresent()) {
        Objects.requireNonNull(byTitle.get(sectionTitle.get()), "a list per layout section")
            .add(new Entry(c, m.scope(), m.description()));
      } else {
        other.add(new Entry(c, Optional.empty(), m.subject().isEmpty() ? "(empty commit message)" : m.subject()));
      }
      addContributor(names, b.mailmap.map(c.author()));
      for (String co : m.footerValues("Co-authored-by")) {
        Person.parse(co).map(b.mailmap::map).ifPresent(p -> addContributor(names, p));
      }
    }
    this.breakingChanges = new Section(layout.breakingTitle(), breaking);
    List<Section> out = new ArrayList<>();
    byTitle.forEach((t, entries) -> {
      if (!entries.isEmpty()) {
        out.add(new Section(t, entries));
      }
    });
    if (!other.isEmpty()) {
      out.add(new Section(layout.otherTitle(), other));
    }
    this.sections = List.copyOf(out);
    List<String> sorted = new ArrayList<>(names.values());
    sorted.sort(Comparator.comparing((String n) -> n.toLowerCase(Locale.ROOT)).thenComparing(Comparator.naturalOrder()));
    this.contributors = List.copyOf(sorted);
  }

  private static void addContributor(Map<String, String> names, Person p) {
    String name = p.name().strip();
    if (name.isEmpty()) {
      name = p.email().isBlank() ? "unknown" : p.email().strip();
      // an address is shown only when git recorded no name at all
    }
    names.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
  }

  /**
   * Starts release notes.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The title: the new version (the tag on the last commit) or {@code Unreleased}.
   *
   * @return the title
   */
  public String title() {
    return title;
  }

  /**
   * The release date.
   *
   * @return the date
   */
  public LocalDate date() {
    return date;
  }

  /**
   * The revision the range starts after (usually the previous tag).
   *
   * @return the start revision, empty when the range is the whole history
   */
  public Optional<String> from() {
    return Optional.ofNullable(from);
  }

  /**
   * The revision the range ends at, as shown (a tag, or an abbreviated id).
   *
   * @return the end revision, empty when not given
   */
  public Optional<String> to() {
    return Optional.ofNullable(to);
  }

  /**
   * The repository's web address used for links.
   *
   * @return the address without a trailing slash, empty when links are off
   */
  public Optional<URI> repositoryUrl() {
    return Optional.ofNullable(repositoryUrl);
  }

  /**
   * The breaking changes (possibly no entries).
   *
   * @return the breaking-changes section
   */
  public Section breakingChanges() {
    return breakingChanges;
  }

  /**
   * The non-empty typed sections in layout order, then "other" when it has entries.
   *
   * @return an unmodifiable list
   */
  public List<Section> sections() {
    return sections;
  }

  /**
   * Contributor names, once each, sorted.
   *
   * @return an unmodifiable list
   */
  public List<String> contributors() {
    return contributors;
  }

  /**
   * The section layout.
   *
   * @return the layout
   */
  public SectionLayout layout() {
    return layout;
  }

  /**
   * How many commits are listed (after reverted pairs were removed).
   *
   * @return the count
   */
  public int commitCount() {
    return commitCount;
  }

  /**
   * Renders the notes as Markdown: {@code ## title (date)}, an optional compare link, one {@code ###} section each, the
   * scope in bold, {@code (#123)} and the abbreviated commit id linked when a repository address is set, and the
   * contributors last. Text from commits is escaped so it cannot inject HTML or links.
   *
   * @return the Markdown text, ending with a line break
   */
  public String toMarkdown() {
    return MarkdownWriter.write(this);
  }

  /** Builds {@link ReleaseNotes} from commits. */
  public static final class Builder {
    private String title = "Unreleased";
    private @Nullable LocalDate date;
    private @Nullable String from;
    private @Nullable String to;
    private @Nullable URI repositoryUrl;
    private SectionLayout layout = SectionLayout.defaults();
    private Mailmap mailmap = Mailmap.empty();
    private final List<Commit> commits = new ArrayList<>();

    private Builder() {}

    /**
     * Sets the title (default {@code Unreleased}).
     *
     * @param value the version or {@code Unreleased}; one non-blank line
     * @return this builder
     */
    public Builder title(String value) {
      Objects.requireNonNull(value, "title");
      if (value.isBlank() || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("title must be one non-blank line");
      }
      title = value.strip();
      return this;
    }

    /**
     * Sets the release date (required).
     *
     * @param value the date
     * @return this builder
     */
    public Builder date(LocalDate value) {
      date = Objects.requireNonNull(value, "date");
      return this;
    }

    /**
     * Sets the revision the range starts after, shown in the compare link.
     *
     * @param value a revision, or null for the whole history
     * @return this builder
     */
    public Builder from(@Nullable String value) {
      from = value;
      return this;
    }

    /**
     * Sets the revision the range ends at, shown in the compare link.
     *
     * @param value a revision
     * @return this builder
     */
    public Builder to(String value) {
      to = value;
      return this;
    }

    /**
     * Sets the repository's web address; pull requests, commits and the comparison are then linked GitHub-style
     * ({@code /pull/N}, {@code /commit/ID}, {@code /compare/A...B}).
     *
     * @param value an {@code https} or {@code http} address with a host and no query or fragment, or null for no links
     * @return this builder
     * @throws IllegalArgumentException if the address is not of that form
     */
    public Builder repositoryUrl(@Nullable URI value) {
      repositoryUrl = value == null ? null : checkUrl(value);
      return this;
    }

    /**
     * Validates a repository address as {@link #repositoryUrl(URI)} does and removes a trailing slash.
     *
     * @param value the address
     * @return the normalized address
     * @throws IllegalArgumentException if it is not an http(s) address with a host, without query, fragment or user info
     */
    public static URI checkUrl(URI value) {
      String scheme = value.getScheme() == null ? "" : value.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("https") || scheme.equals("http"))
          || value.getHost() == null
          || value.getRawQuery() != null
          || value.getRawFragment() != null
          || value.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            "repository URL must be an http(s) address with a host and no query, fragment or user info, got '"
                + value + "'");
      }
      String s = value.toString();
      while (s.endsWith("/")) {
        s = s.substring(0, s.length() - 1);
      }
      return URI.create(s);
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
     * Sets the mailmap used for contributor names (default: none).
     *
     * @param value the mailmap
     * @return this builder
     */
    public Builder mailmap(Mailmap value) {
      mailmap = Objects.requireNonNull(value, "mailmap");
      return this;
    }

    /**
     * Adds commits, newest first.
     *
     * @param values the commits
     * @return this builder
     */
    public Builder commits(List<Commit> values) {
      for (Commit c : values) {
        commits.add(Objects.requireNonNull(c, "commit"));
      }
      return this;
    }

    /**
     * Groups the commits.
     *
     * @return the release notes
     * @throws IllegalStateException if no date was set
     */
    public ReleaseNotes build() {
      if (date == null) {
        throw new IllegalStateException("date is required");
      }
      return new ReleaseNotes(this, withoutRevertedPairs(commits));
    }

    private static List<Commit> withoutRevertedPairs(List<Commit> commits) {
      NavigableSet<String> ids = new TreeSet<>();
      for (Commit c : commits) {
        ids.add(c.id());
      }
      Set<String> drop = new HashSet<>();
      for (Commit revert : commits) {
        if (drop.contains(revert.id())) {
          continue;
        }
        for (String target : revert.message().revertedCommits()) {
          String id = ids.ceiling(target); // the first id with this prefix, if any
          if (id != null && id.startsWith(target) && !id.equals(revert.id()) && !drop.contains(id)) {
            drop.add(id);
            drop.add(revert.id());
            break;
          }
        }
      }
      if (drop.isEmpty()) {
        return List.copyOf(commits);
      }
      return commits.stream().filter(c -> !drop.contains(c.id())).toList();
    }
  }
}
