package dev.secureyeoman.release;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A parsed commit message, following <a href="https://www.conventionalcommits.org/en/v1.0.0/">Conventional Commits
 * 1.0.0</a>: {@code type(scope)!: description}, an optional body one blank line later, then optional footers.
 *
 * <p>{@link #parse(String)} accepts any text and never throws: a message that is not a Conventional Commit is still
 * returned ({@link #isConventional()} is false, {@link #description()} is its subject line), so release notes can list
 * it under "Other". Rules applied, with the specification's numbering:
 *
 * <ul>
 *   <li>The type is a word of letters, digits, {@code _} and {@code -} starting with a letter; it is case-insensitive and
 *       returned in lower case (rule 15). The scope is any text without parentheses (rule 4); {@code !} marks a breaking
 *       change (rule 13); {@code ": "} (colon and space) is required (rule 1) and the description must not be blank.
 *   <li>Footers start at the first paragraph after the subject whose first line is {@code token: value} or
 *       {@code token #value}; a token is letters, digits and {@code -}, or {@code BREAKING CHANGE} (rules 8–10). A value
 *       runs over following lines until the next token/separator pair (rule 10). So a body paragraph that starts with
 *       {@code Word: } begins the footers: write such prose as {@code Word - …} or move it.
 *   <li>{@code BREAKING CHANGE} and {@code BREAKING-CHANGE} are recognised in upper case only (rules 12, 15, 16); every
 *       other token is compared without case ({@link Footer#is(String)}).
 *   <li>Git's own revert subject {@code Revert "…"} has type {@code revert} and the reverted subject as description, and
 *       {@code This reverts commit <sha>.} in the body names the reverted commit (the specification leaves reverts to
 *       tools; this follows git and conventional-changelog).
 * </ul>
 *
 * <p>Instances are immutable. {@link #toMessage()} writes the canonical form; parsing it again yields an equal instance.
 */
public final class CommitMessage {
  private static final Pattern HEADER =
      Pattern.compile("([A-Za-z][A-Za-z0-9_-]*)(?:\\(([^()\\n]*)\\))?(!)?: (.*)", Pattern.DOTALL);
  private static final Pattern FOOTER_START =
      // "token:" followed only by whitespace starts a footer too: values are stripped of trailing whitespace, so
      // otherwise a continuation line "Note:" + vertical tab became "Note:", a footer when parsed again (fuzzing)
      Pattern.compile(
          "(BREAKING CHANGE|[A-Za-z0-9][A-Za-z0-9-]*)(: |:\\p{javaWhitespace}*$| #)(.*)", Pattern.DOTALL);
  private static final Pattern GIT_REVERT = Pattern.compile("Revert \"(.*)\"", Pattern.DOTALL);
  private static final Pattern REVERTS_COMMIT = Pattern.compile("This reverts commit ([0-9a-fA-F]{7,64})\\b");
  private static final Pattern HEX_ID = Pattern.compile("[0-9a-fA-F]{7,64}");
  private static final Pattern PULL_REQUEST = Pattern.compile("\\(#([0-9]{1,9})\\)");
  private static final String REVERT = "revert";

  private final String subject;
  private final boolean conventional;
  private final @Nullable String type;
  private final @Nullable String scope;
  private final boolean breakingMarker;
  private final String description;
  private final String body;
  private final List<Footer> footers;

  private CommitMessage(
      String subject,
      boolean conventional,
      @Nullable String type,
      @Nullable String scope,
      boolean breakingMarker,
      String description,
      String body,
      List<Footer> footers) {
    this.subject = subject;
    this.conventional = conventional;
    this.type = type;
    this.scope = scope;
    this.breakingMarker = breakingMarker;
    this.description = description;
    this.body = body;
    this.footers = List.copyOf(footers);
  }

  /**
   * Parses a commit message. Never throws for any non-null input; line breaks may be {@code \n}, {@code \r\n} or
   * {@code \r}.
   *
   * @param message the full commit message (subject, body, footers)
   * @return the parsed message
   */
  public static CommitMessage parse(String message) {
    Objects.requireNonNull(message, "message");
    String text = message.replace("\r\n", "\n").replace('\r', '\n');
    String[] lines = text.split("\n", -1);
    String subject = lines[0].strip();

    int start = 1;
    while (start < lines.length && lines[start].isBlank()) {
      start++;
    }
    int footerStart = lines.length;
    for (int i = start; i < lines.length; i++) {
      if ((i == start || lines[i - 1].isBlank()) && FOOTER_START.matcher(lines[i]).matches()) {
        footerStart = i;
        break;
      }
    }
    String body = joinTrimmed(lines, start, footerStart);
    List<Footer> footers = parseFooters(lines, footerStart);

    Matcher h = HEADER.matcher(subject);
    if (h.matches()) {
      String scope = h.group(2);
      String desc = h.group(4).strip();
      if ((scope == null || !scope.isBlank()) && !desc.isEmpty()) {
        return new CommitMessage(
            subject,
            true,
            h.group(1).toLowerCase(Locale.ROOT),
            scope == null ? null : scope.strip(),
            h.group(3) != null,
            desc,
            body,
            footers);
      }
    }
    Matcher r = GIT_REVERT.matcher(subject);
    if (r.matches() && !r.group(1).isBlank()) {
      return new CommitMessage(subject, false, REVERT, null, false, r.group(1).strip(), body, footers);
    }
    return new CommitMessage(subject, false, null, null, false, subject, body, footers);
  }

  private static String joinTrimmed(String[] lines, int from, int to) {
    int end = to;
    while (end > from && lines[end - 1].isBlank()) {
      end--;
    }
    if (end <= from) {
      return "";
    }
    return String.join("\n", java.util.Arrays.asList(lines).subList(from, end)).stripTrailing();
  }

  private static List<Footer> parseFooters(String[] lines, int from) {
    List<Footer> out = new ArrayList<>();
    int i = from;
    while (i < lines.length) {
      Matcher m = FOOTER_START.matcher(lines[i]);
      if (!m.matches()) {
        i++; // unreachable for i == from; later lines are consumed as values below
        continue;
      }
      int j = i + 1;
      while (j < lines.length && !FOOTER_START.matcher(lines[j]).matches()) {
        j++;
      }
      StringBuilder value = new StringBuilder(m.group(3));
      for (int k = i + 1; k < j; k++) {
        value.append('\n').append(lines[k]);
      }
      String separator = m.group(2).equals(Footer.HASH) ? Footer.HASH : Footer.COLON;
      out.add(new Footer(m.group(1), separator, value.toString().stripTrailing()));
      i = j;
    }
    return out;
  }

  /**
   * Starts a Conventional Commit message. The builder renders the message and checks that it parses back to exactly
   * the given parts, so what it builds is always unambiguous.
   *
   * @param type the type, such as {@code feat} or {@code fix}
   * @param description the one-line description
   * @return a builder
   */
  public static Builder builder(String type, String description) {
    return new Builder(type, description);
  }

  /**
   * The subject line as written (first line, surrounding white space removed).
   *
   * @return the subject line; empty for an empty message
   */
  public String subject() {
    return subject;
  }

  /**
   * Whether the subject follows the Conventional Commits syntax {@code type(scope)!: description}.
   *
   * @return true for a Conventional Commit
   */
  public boolean isConventional() {
    return conventional;
  }

  /**
   * The type in lower case: the Conventional Commit type, or {@code revert} for git's {@code Revert "…"} subject.
   *
   * @return the type, empty for any other message
   */
  public Optional<String> type() {
    return Optional.ofNullable(type);
  }

  /**
   * The scope without parentheses.
   *
   * @return the scope, empty when there is none
   */
  public Optional<String> scope() {
    return Optional.ofNullable(scope);
  }

  /**
   * Whether the subject carries the {@code !} breaking-change marker.
   *
   * @return true when {@code !} precedes the colon
   */
  public boolean hasBreakingMarker() {
    return breakingMarker;
  }

  /**
   * The description: the text after {@code ": "}, the reverted subject for git reverts, the whole subject line for any
   * other message. Always one line.
   *
   * @return the description
   */
  public String description() {
    return description;
  }

  /**
   * The body: the paragraphs between the subject and the footers, without surrounding blank lines.
   *
   * @return the body, empty when there is none
   */
  public String body() {
    return body;
  }

  /**
   * The footers in message order.
   *
   * @return an unmodifiable list
   */
  public List<Footer> footers() {
    return footers;
  }

  /**
   * Whether this commit is a breaking change: the {@code !} marker or a {@code BREAKING CHANGE} footer.
   *
   * @return true for a breaking change
   */
  public boolean isBreaking() {
    return breakingMarker || footers.stream().anyMatch(Footer::isBreakingChange);
  }

  /**
   * The texts of the {@code BREAKING CHANGE}/{@code BREAKING-CHANGE} footers, in order.
   *
   * @return an unmodifiable list, empty when there is none
   */
  public List<String> breakingChanges() {
    return footers.stream().filter(Footer::isBreakingChange).map(Footer::value).toList();
  }

  /**
   * Pull-request numbers written as {@code (#123)} in the description (GitHub appends them on squash merges).
   *
   * @return the numbers in order of appearance
   */
  public List<Integer> pullRequests() {
    List<Integer> out = new ArrayList<>();
    Matcher m = PULL_REQUEST.matcher(description);
    while (m.find()) {
      out.add(Integer.valueOf(m.group(1)));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Commits this one reverts: ids from git's {@code This reverts commit <id>.} line and, for the {@code revert} type,
   * from {@code Refs} footers holding commit ids (the specification's recommendation).
   *
   * @return full or abbreviated ids in lower case, in order
   */
  public List<String> revertedCommits() {
    List<String> out = new ArrayList<>();
    Matcher m = REVERTS_COMMIT.matcher(body);
    while (m.find()) {
      out.add(m.group(1).toLowerCase(Locale.ROOT));
    }
    if (REVERT.equals(type)) {
      for (Footer f : footers) {
        if (f.is("Refs")) {
          for (String part : f.value().split("[,\\s]+")) {
            if (HEX_ID.matcher(part).matches()) {
              out.add(part.toLowerCase(Locale.ROOT));
            }
          }
        }
      }
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * The footers whose token equals {@code token}, ignoring case.
   *
   * @param token the footer token, such as {@code Co-authored-by}
   * @return their values, in order
   */
  public List<String> footerValues(String token) {
    return footers.stream().filter(f -> f.is(token)).map(Footer::value).toList();
  }

  /**
   * Writes the message in canonical form: subject, then the body and the footers each after one blank line.
   *
   * @return the message text with {@code \n} line breaks
   */
  public String toMessage() {
    StringBuilder sb = new StringBuilder(subject);
    if (!body.isEmpty()) {
      sb.append("\n\n").append(body);
    }
    if (!footers.isEmpty()) {
      sb.append("\n\n");
      for (int i = 0; i < footers.size(); i++) {
        if (i > 0) {
          sb.append('\n');
        }
        sb.append(footers.get(i));
      }
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CommitMessage m
        && subject.equals(m.subject)
        && conventional == m.conventional
        && Objects.equals(type, m.type)
        && Objects.equals(scope, m.scope)
        && breakingMarker == m.breakingMarker
        && description.equals(m.description)
        && body.equals(m.body)
        && footers.equals(m.footers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(subject, type, scope, breakingMarker, description, body, footers);
  }

  /** Returns the subject line. */
  @Override
  public String toString() {
    return subject;
  }

  /** Builds a Conventional Commit message; see {@link CommitMessage#builder(String, String)}. */
  public static final class Builder {
    private static final Pattern TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");

    private final String type;
    private final String description;
    private @Nullable String scope;
    private boolean breaking;
    private String body = "";
    private final List<Footer> footers = new ArrayList<>();

    private Builder(String type, String description) {
      this.type = Objects.requireNonNull(type, "type");
      this.description = Objects.requireNonNull(description, "description");
      if (!TYPE.matcher(type).matches()) {
        throw new IllegalArgumentException("type must be a letter followed by letters, digits, '_' or '-', got '" + type + "'");
      }
      if (description.isBlank() || !description.equals(description.strip()) || description.indexOf('\n') >= 0
          || description.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("description must be one non-blank line without surrounding spaces");
      }
    }

    /**
     * Sets the scope.
     *
     * @param value a non-blank scope without parentheses or line breaks
     * @return this builder
     * @throws IllegalStateException if the scope was already set
     */
    public Builder scope(String value) {
      Objects.requireNonNull(value, "scope");
      if (scope != null) {
        throw new IllegalStateException("scope already set to '" + scope + "'");
      }
      if (value.isBlank() || !value.equals(value.strip()) || value.matches("(?s).*[()\\n\\r].*")) {
        throw new IllegalArgumentException("scope must be non-blank text without parentheses or line breaks");
      }
      scope = value;
      return this;
    }

    /**
     * Adds the {@code !} breaking-change marker.
     *
     * @return this builder
     */
    public Builder breaking() {
      breaking = true;
      return this;
    }

    /**
     * Sets the body.
     *
     * @param value paragraphs separated by blank lines; no paragraph may start with a footer {@code token: }
     * @return this builder
     */
    public Builder body(String value) {
      body = Objects.requireNonNull(value, "body");
      return this;
    }

    /**
     * Adds a footer.
     *
     * @param footer the footer
     * @return this builder
     */
    public Builder footer(Footer footer) {
      footers.add(Objects.requireNonNull(footer, "footer"));
      return this;
    }

    /**
     * Renders and validates the message.
     *
     * @return the message
     * @throws IllegalArgumentException if the body or a footer value would be read back differently (for example a body
     *     paragraph that starts with {@code Word: }, which the specification reads as a footer)
     */
    public CommitMessage build() {
      String subject = type + (scope == null ? "" : "(" + scope + ")") + (breaking ? "!" : "") + ": " + description;
      CommitMessage wanted =
          new CommitMessage(subject, true, type.toLowerCase(Locale.ROOT), scope, breaking, description, body, footers);
      CommitMessage read = parse(wanted.toMessage());
      if (!read.body.equals(body)) {
        throw new IllegalArgumentException(
            "body would be read back differently (a paragraph starting with 'token: ' or 'token #' begins the footers;"
                + " surrounding blank lines and '\\r' are not allowed)");
      }
      if (!read.footers.equals(wanted.footers)) {
        throw new IllegalArgumentException(
            "footers would be read back differently (a value line must not start with 'token: ' or 'token #')");
      }
      return read;
    }
  }
}
