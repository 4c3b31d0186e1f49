package dev.secureyeoman.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PasswordPolicyTest {

  @Test
  void defaults_requireThirtyTwoCodePoints() {
    PasswordPolicy p = PasswordPolicy.defaults();
    assertEquals(List.of("password must be at least 32 characters"), p.violations("x".repeat(31)));
    assertTrue(p.violations("x".repeat(32)).isEmpty());
    assertFalse(p.violations("x".repeat(257)).isEmpty());
  }

  @Test
  void length_countsCodePointsNotUtf16Units() {
    PasswordPolicy p = new PasswordPolicy(8, 64, Set.of());
    String sevenEmoji = "\uD83D\uDE00".repeat(7); // 14 UTF-16 units, 7 code points
    assertFalse(p.violations(sevenEmoji).isEmpty());
  }

  @Test
  void blocklist_caseInsensitive_neverEchoesPassword() {
    PasswordPolicy p = new PasswordPolicy(8, 64, Set.of("correcthorsebatterystaple"));
    List<String> v = p.violations("CorrectHorseBatteryStaple");
    assertEquals(1, v.size());
    assertFalse(v.get(0).toLowerCase().contains("horse"));
    assertEquals(List.of("password is required"), p.violations(null));
  }

  @Test
  void invalidBounds_rejected() {
    assertThrows(IllegalArgumentException.class, () -> new PasswordPolicy(7, 64, Set.of()));
    assertThrows(IllegalArgumentException.class, () -> new PasswordPolicy(32, 63, Set.of()));
    assertThrows(IllegalArgumentException.class, () -> new PasswordPolicy(100, 64, Set.of()));
  }
}
