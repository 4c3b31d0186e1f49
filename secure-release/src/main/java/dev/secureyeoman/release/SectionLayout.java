package dev.secureyeoman.release;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Which sections release notes have, their titles and order, and which commit types go into each. The breaking-changes
 * section always comes first and "other" (non-conventional commits and unmapped types) last; contributors follow.
 *
 * <p>{@link #defaults()}: Breaking changes; Features ({@code feat}, {@code feature}); Bug Fixes ({@code fix},
 * {@code bugfix}, {@code hotfix}); Performance ({@code perf}); Documentation ({@code docs}, {@code doc}); Refactoring
 * ({@code refactor}); Tests ({@code test}, {@code tests}); Build/CI ({@code build}, {@code ci}); Chores ({@code chore},
 * {@code style}, {@code deps}); Reverts ({@code revert}); Other; Contributors.
 */
public final class SectionLayout {
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_-]*");
  private static final SectionLayout DEFAULTS =
      builder()
          .section("Features", "feat", "feature")
          .section("Bug Fixes", "fix", "bugfix", "hotfix")
          .section("Performance", "perf")
          .section("Documentation", "docs", "doc")
          .section("Refactoring", "refactor")
          .section("Tests", "test", "tests")
          .section("Build/CI", "build", "ci")
          .section("Chores", "chore", "style", "deps")
          .section("Reverts", "revert")
          .build();

  /**
   * A section: its title and the lower-case types it collects.
   *
   * @param title the heading text
   * @param types the commit types, lower case
   */
  public record Section(String title, Set<String> types) {
    /** Copies the types. */
    public Section {
      types = Set.copyOf(types);
    }
  }

  private final String breakingTitle;
  private final String otherTitle;
  private final String contributorsTitle;
  private final List<Section> sections;
  private final Map<String, String> titleByType;

  private SectionLayout(Builder b) {
    this.breakingTitle = b.breakingTitle == null ? "Breaking changes" : b.breakingTitle;
    this.otherTitle = b.otherTitle == null ? "Other" : b.otherTitle;
    this.contributorsTitle = b.contributorsTitle == null ? "Contributors" : b.contributorsTitle;
    this.sections = List.copyOf(b.sections);
    Map<String, String> byType = new LinkedHashMap<>();
    for (Section s : sections) {
      for (String t : s.types()) {
        byType.put(t, s.title());
      }
    }
    this.titleByType = Map.copyOf(byType);
  }

  /**
   * The default layout described above.
   *
   * @return the default layout
   */
  public static SectionLayout defaults() {
    return DEFAULTS;
  }

  /**
   * Starts an empty layout (no typed sections; breaking, other and contributors keep their default titles).
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this layout's settings, to derive a variant.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.breakingTitle = breakingTitle;
    b.otherTitle = otherTitle;
    b.contributorsTitle = contributorsTitle;
    for (Section s : sections) {
      b.add(s);
    }
    return b;
  }

  /**
   * The title of the breaking-changes section.
   *
   * @return the title
   */
  public String breakingTitle() {
    return breakingTitle;
  }

  /**
   * The title of the section for non-conventional commits and unmapped types.
   *
   * @return the title
   */
  public String otherTitle() {
    return otherTitle;
  }

  /**
   * The title of the contributors section.
   *
   * @return the title
   */
  public String contributorsTitle() {
    return contributorsTitle;
  }

  /**
   * The typed sections in order.
   *
   * @return an unmodifiable list
   */
  public List<Section> sections() {
    return sections;
  }

  /**
   * The title of the section a type belongs to.
   *
   * @param type a lower-case type
   * @return the section title, empty when the type goes to "other"
   */
  public Optional<String> titleFor(String type) {
    return Optional.ofNullable(titleByType.get(type));
  }

  /** Builds a {@link SectionLayout}; each title is set at most once and each type belongs to one section. */
  public static final class Builder {
    private @Nullable String breakingTitle;
    private @Nullable String otherTitle;
    private @Nullable String contributorsTitle;
    private final List<Section> sections = new ArrayList<>();

    private Builder() {}

    /**
     * Adds a section after those already added.
     *
     * @param title the heading text
     * @param types the lower-case commit types it collects (at least one)
     * @return this builder
     * @throws IllegalArgumentException if the title is blank or used twice, a type is malformed or already mapped
     */
    public Builder section(String title, String... types) {
      Set<String> set = new LinkedHashSet<>(List.of(types));
      if (set.isEmpty()) {
        throw new IllegalArgumentException("section '" + title + "' needs at least one type");
      }
      add(new Section(checkTitle("section title", title), set));
      return this;
    }

    private void add(Section section) {
      for (Section s : sections) {
        if (s.title().equals(section.title())) {
          throw new IllegalArgumentException("section title '" + section.title() + "' used twice");
        }
        for (String t : section.types()) {
          if (s.types().contains(t)) {
            throw new IllegalArgumentException("type '" + t + "' already belongs to section '" + s.title() + "'");
          }
        }
      }
      for (String t : section.types()) {
        if (!TYPE.matcher(t).matches()) {
          throw new IllegalArgumentException("type must be lower case letters, digits, '_' or '-', got '" + t + "'");
        }
      }
      sections.add(section);
    }

    /**
     * Sets the title of the breaking-changes section (default "Breaking changes").
     *
     * @param title the title
     * @return this builder
     */
    public Builder breakingTitle(String title) {
      if (breakingTitle != null) {
        throw new IllegalStateException("breakingTitle already set to '" + breakingTitle + "'");
      }
      breakingTitle = checkTitle("breakingTitle", title);
      return this;
    }

    /**
     * Sets the title of the section for other commits (default "Other").
     *
     * @param title the title
     * @return this builder
     */
    public Builder otherTitle(String title) {
      if (otherTitle != null) {
        throw new IllegalStateException("otherTitle already set to '" + otherTitle + "'");
      }
      otherTitle = checkTitle("otherTitle", title);
      return this;
    }

    /**
     * Sets the title of the contributors section (default "Contributors").
     *
     * @param title the title
     * @return this builder
     */
    public Builder contributorsTitle(String title) {
      if (contributorsTitle != null) {
        throw new IllegalStateException("contributorsTitle already set to '" + contributorsTitle + "'");
      }
      contributorsTitle = checkTitle("contributorsTitle", title);
      return this;
    }

    private static String checkTitle(String what, String title) {
      Objects.requireNonNull(title, what);
      if (title.isBlank() || title.indexOf('\n') >= 0 || title.indexOf('\r') >= 0) {
        throw new IllegalArgumentException(what + " must be one non-blank line");
      }
      return title.strip();
    }

    /**
     * Builds the layout.
     *
     * @return the layout
     */
    public SectionLayout build() {
      return new SectionLayout(this);
    }
  }
}
