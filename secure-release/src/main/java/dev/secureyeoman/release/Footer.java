package dev.secureyeoman.release;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One footer (git trailer) of a commit message, such as {@code Refs: #123}, {@code Closes #7} or
 * {@code BREAKING CHANGE: the v1 API is gone}.
 *
 * <p>Tokens are compared without regard to case ({@link #is(String)}), except {@code BREAKING CHANGE} and its synonym
 * {@code BREAKING-CHANGE}, which the Conventional Commits specification requires in upper case.
 *
 * @param token the token, such as {@code Refs}, {@code Co-authored-by} or {@code BREAKING CHANGE}
 * @param separator {@value #COLON} or {@value #HASH}
 * @param value the value, possibly several lines; never ends with a line break
 */
public record Footer(String token, String separator, String value) {
  /** The {@code token: value} separator. */
  public static final String COLON = ": ";

  /** The {@code token #value} separator (issue references such as {@code Closes #12}). */
  public static final String HASH = " #";

  /** The breaking-change token. */
  public static final String BREAKING_CHANGE = "BREAKING CHANGE";

  /** The synonym of {@link #BREAKING_CHANGE} the specification allows. */
  public static final String BREAKING_CHANGE_HYPHEN = "BREAKING-CHANGE";

  static final Pattern TOKEN = Pattern.compile("BREAKING CHANGE|[A-Za-z0-9][A-Za-z0-9-]*");

  /**
   * Validates the footer.
   *
   * @throws IllegalArgumentException if the token is not a footer token, the separator is neither {@link #COLON} nor
   *     {@link #HASH}, or the value ends with a line break
   */
  public Footer {
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(separator, "separator");
    Objects.requireNonNull(value, "value");
    if (!TOKEN.matcher(token).matches()) {
      throw new IllegalArgumentException(
          "footer token must be 'BREAKING CHANGE' or letters, digits and '-' (spaces written as '-'), got '" + token + "'");
    }
    if (!COLON.equals(separator) && !HASH.equals(separator)) {
      throw new IllegalArgumentException("footer separator must be ': ' or ' #', got '" + separator + "'");
    }
    if (value.endsWith("\n") || value.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("footer value must not end with a line break or contain '\\r'");
    }
  }

  /**
   * Creates a {@code token: value} footer.
   *
   * @param token the token
   * @param value the value
   * @return the footer
   */
  public static Footer of(String token, String value) {
    return new Footer(token, COLON, value);
  }

  /**
   * Whether this footer announces a breaking change ({@code BREAKING CHANGE} or {@code BREAKING-CHANGE}, upper case only).
   *
   * @return true for a breaking-change footer
   */
  public boolean isBreakingChange() {
    return BREAKING_CHANGE.equals(token) || BREAKING_CHANGE_HYPHEN.equals(token);
  }

  /**
   * Whether the token equals {@code name}, ignoring case (the specification's rule for every token but
   * {@code BREAKING CHANGE}).
   *
   * @param name the token to compare with
   * @return true when the tokens match
   */
  public boolean is(String name) {
    return token.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT));
  }

  /**
   * Returns the footer as written in a commit message.
   *
   * @return {@code token + separator + value}
   */
  @Override
  public String toString() {
    return token + separator + value;
  }
}
