package dev.secureyeoman.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ThreadKeyTest {

  @Test
  void canonical_isUnambiguous() {
    ThreadKey a = new ThreadKey("telegram", "-100123", "42");
    assertEquals("telegram/-100123/42", a.canonical());
    assertNotEquals(a, new ThreadKey("telegram", "-100123", "43"));
  }

  @Test
  void separatorsAndControlCharacters_rejected() {
    assertThrows(IllegalArgumentException.class, () -> new ThreadKey("telegram", "a/b", "c"));
    assertThrows(IllegalArgumentException.class, () -> new ThreadKey("telegram", "a", "c\n"));
    assertThrows(IllegalArgumentException.class, () -> new ThreadKey("Telegram", "a", "c"));
    assertThrows(IllegalArgumentException.class, () -> new ThreadKey("slack", "", "c"));
    assertThrows(NullPointerException.class, () -> new ThreadKey("slack", null, "c"));
    assertThrows(IllegalArgumentException.class, () -> new ThreadKey("slack", "x".repeat(129), "c"));
  }
}
