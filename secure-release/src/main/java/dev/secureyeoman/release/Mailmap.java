package dev.secureyeoman.release;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A git {@code .mailmap}: canonical names and addresses for authors who committed under several identities, with git's
 * rules (see {@code git help gitmailmap}). Addresses and names are matched without regard to case; a rule naming both
 * the commit name and address wins over one naming only the address. Lines starting with {@code #} are comments, as is
 * text after the last {@code >} of a line.
 *
 * <pre>
 * Proper Name &lt;commit@example.org&gt;
 * &lt;proper@example.org&gt; &lt;commit@example.org&gt;
 * Proper Name &lt;proper@example.org&gt; &lt;commit@example.org&gt;
 * Proper Name &lt;proper@example.org&gt; Commit Name &lt;commit@example.org&gt;
 * </pre>
 */
public final class Mailmap {
  /** Largest {@code .mailmap} accepted, in characters: a bigger one is refused rather than read into memory. */
  public static final int MAX_LENGTH = 1 << 20;

  private static final Mailmap EMPTY = new Mailmap(Map.of());
  private static final Pattern EMAIL = Pattern.compile("<([^<>]*)>");

  private final Map<String, List<Rule>> rules;

  private record Rule(@Nullable String oldName, @Nullable String properName, @Nullable String properEmail) {}

  private Mailmap(Map<String, List<Rule>> rules) {
    this.rules = rules;
  }

  /**
   * A mailmap that maps nobody.
   *
   * @return the empty mailmap
   */
  public static Mailmap empty() {
    return EMPTY;
  }

  /**
   * Parses {@code .mailmap} text. Lines that are not one of git's four forms are ignored, as git ignores them.
   *
   * @param text the file content
   * @return the mailmap
   * @throws IllegalArgumentException if the text is longer than {@link #MAX_LENGTH}
   */
  public static Mailmap parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(".mailmap is larger than " + MAX_LENGTH + " characters");
    }
    Map<String, List<Rule>> rules = new HashMap<>();
    for (String line : text.split("\r?\n|\r")) {
      if (line.stripLeading().startsWith("#")) {
        continue;
      }
      Matcher m = EMAIL.matcher(line);
      List<String> names = new ArrayList<>();
      List<String> emails = new ArrayList<>();
      int last = 0;
      while (emails.size() < 2 && m.find()) {
        names.add(line.substring(last, m.start()).strip());
        emails.add(m.group(1).strip());
        last = m.end();
      }
      if (emails.size() == 1 && !names.get(0).isEmpty()) {
        add(rules, emails.get(0), new Rule(null, names.get(0), null));
      } else if (emails.size() == 2) {
        String properName = names.get(0).isEmpty() ? null : names.get(0);
        String oldName = names.get(1).isEmpty() ? null : names.get(1);
        add(rules, emails.get(1), new Rule(oldName, properName, emails.get(0)));
      }
    }
    return rules.isEmpty() ? EMPTY : new Mailmap(Map.copyOf(rules));
  }

  private static void add(Map<String, List<Rule>> rules, String email, Rule rule) {
    // like git, lines for the same (address, commit name) combine: a later line's name or address replaces the earlier one
    List<Rule> list = rules.computeIfAbsent(email.toLowerCase(Locale.ROOT), k -> new ArrayList<>());
    for (int i = 0; i < list.size(); i++) {
      Rule r = list.get(i);
      boolean sameKey = r.oldName == null ? rule.oldName == null : r.oldName.equalsIgnoreCase(rule.oldName == null ? "" : rule.oldName);
      if (sameKey) {
        list.set(
            i,
            new Rule(
                r.oldName,
                rule.properName != null ? rule.properName : r.properName,
                rule.properEmail != null ? rule.properEmail : r.properEmail));
        return;
      }
    }
    list.add(rule);
  }

  /**
   * Maps a person to their canonical identity.
   *
   * @param person the identity recorded in a commit
   * @return the canonical identity, or {@code person} when no rule applies
   */
  public Person map(Person person) {
    List<Rule> candidates = rules.get(person.email().toLowerCase(Locale.ROOT));
    if (candidates == null) {
      return person;
    }
    Rule match = null;
    for (Rule r : candidates) {
      if (r.oldName != null && r.oldName.equalsIgnoreCase(person.name())) {
        match = r;
      }
    }
    if (match == null) {
      for (Rule r : candidates) {
        if (r.oldName == null) {
          match = r;
        }
      }
    }
    if (match == null) {
      return person;
    }
    return new Person(
        match.properName == null ? person.name() : match.properName,
        match.properEmail == null ? person.email() : match.properEmail);
  }
}
