package dev.secureyeoman.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretBytesTest {

  @Test
  void toString_neverContainsContent() {
    byte[] secret = "hunter2-hunter2".getBytes(StandardCharsets.UTF_8);
    SecretBytes s = SecretBytes.copyOf(secret);
    assertFalse(s.toString().contains("hunter2"));
    assertFalse(s.toString().contains("68756e74")); // hex of "hunt"
  }

  @Test
  void copyOf_isolatesCallerArray() {
    byte[] secret = {1, 2, 3};
    SecretBytes s = SecretBytes.copyOf(secret);
    secret[0] = 9;
    assertArrayEquals(new byte[] {1, 2, 3}, s.toByteArray());
    byte[] out = s.toByteArray();
    out[1] = 9;
    assertArrayEquals(new byte[] {1, 2, 3}, s.toByteArray());
  }

  @Test
  void constantTimeEquals_comparesContent() {
    try (SecretBytes a = SecretBytes.copyOf(new byte[] {1, 2, 3});
        SecretBytes b = SecretBytes.copyOf(new byte[] {1, 2, 3});
        SecretBytes c = SecretBytes.copyOf(new byte[] {1, 2, 4})) {
      assertTrue(a.constantTimeEquals(b));
      assertFalse(a.constantTimeEquals(c));
      assertNotEquals(a, b, "equals is identity so secrets are never compared by collections");
    }
  }

  @Test
  void close_wipesAndBlocksAccess() {
    byte[] owned = {7, 7, 7};
    SecretBytes s = SecretBytes.adopt(owned);
    s.close();
    assertArrayEquals(new byte[] {0, 0, 0}, owned, "adopted array is wiped in place");
    assertTrue(s.isDestroyed());
    assertThrows(IllegalStateException.class, s::toByteArray);
    s.close(); // idempotent
  }

  @Test
  void nullInput_rejected() {
    assertThrows(IllegalArgumentException.class, () -> SecretBytes.copyOf(null));
    assertThrows(IllegalArgumentException.class, () -> SecretBytes.adopt(null));
  }

  @Test
  void length_isPublic() {
    try (SecretBytes s = SecretBytes.copyOf(new byte[32])) {
      assertTrue(s.length() == 32);
    }
  }
}
