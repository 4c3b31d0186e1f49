package dev.secureyeoman.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MailmapTest {
  private static final Mailmap MAP =
      Mailmap.parse(
          """
          # comment line
          Ada Lovelace <ada@example.org>
          <ada@example.org> <ada@old.example>
          Ada Lovelace <ada@example.org> A. L. <shared@example.org>
          Bo Li <bo@example.org> <BO@Laptop.local>   # trailing comment
          Proper Only <proper@example.org>
          not a rule at all
          """);

  @Test
  void map_gitFourForms_applied() {
    assertEquals(new Person("Ada Lovelace", "ada@example.org"), MAP.map(new Person("ada", "ada@example.org")));
    assertEquals(new Person("Ada", "ada@example.org"), MAP.map(new Person("Ada", "ada@old.example")),
        "address-only rule: one lookup, the name stays (as git check-mailmap does)");
    assertEquals(new Person("Ada Lovelace", "ada@example.org"), MAP.map(new Person("a. l.", "SHARED@example.org")));
    assertEquals(new Person("Bo Li", "bo@example.org"), MAP.map(new Person("bo", "bo@laptop.local")));
  }

  @Test
  void map_nameSpecificRule_onlyForThatName() {
    Person other = new Person("Someone Else", "shared@example.org");
    assertSame(other, MAP.map(other));
  }

  @Test
  void map_unknownAddress_unchanged() {
    Person p = new Person("Cy", "cy@example.org");
    assertSame(p, MAP.map(p));
    assertSame(p, Mailmap.empty().map(p));
  }

  @Test
  void parse_oversized_rejected() {
    assertThrows(IllegalArgumentException.class, () -> Mailmap.parse("x".repeat(Mailmap.MAX_LENGTH + 1)));
  }
}
