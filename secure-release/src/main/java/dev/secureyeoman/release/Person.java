package dev.secureyeoman.release;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A commit author or co-author as git records it. Release notes print the name only, never the e-mail address.
 *
 * @param name the name, possibly empty
 * @param email the e-mail address, possibly empty
 */
public record Person(String name, String email) {
  private static final Pattern NAME_EMAIL = Pattern.compile("\\s*([^<>]*?)\\s*<([^<>]*)>\\s*");

  /**
   * Validates the person.
   *
   * @throws NullPointerException if a field is null
   */
  public Person {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(email, "email");
  }

  /**
   * Parses {@code Name <email>}, the form of {@code Co-authored-by} footers.
   *
   * @param text the text
   * @return the person, or empty when the text is not of that form
   */
  public static Optional<Person> parse(String text) {
    Matcher m = NAME_EMAIL.matcher(text);
    return m.matches() ? Optional.of(new Person(m.group(1), m.group(2).strip())) : Optional.empty();
  }
}
