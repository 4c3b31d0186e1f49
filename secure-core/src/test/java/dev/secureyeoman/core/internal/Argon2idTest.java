package dev.secureyeoman.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Argon2idTest {

  private static byte[] repeat(int b, int n) {
    byte[] out = new byte[n];
    Arrays.fill(out, (byte) b);
    return out;
  }

  /** RFC 9106 §5.3 (Argon2id test vector): password 32×01, salt 16×02, secret 8×03, ad 12×04, m=32, t=3, p=4. */
  @Test
  void derive_rfc9106Argon2idVector() {
    byte[] tag = Argon2id.derive(repeat(1, 32), repeat(2, 16), repeat(3, 8), repeat(4, 12), 32, 3, 4, 32);
    assertArrayEquals(
        HexFormat.of().parseHex("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"), tag);
    // negative: another secret gives another tag
    assertFalse(Arrays.equals(tag, Argon2id.derive(repeat(1, 32), repeat(2, 16), repeat(9, 8), repeat(4, 12), 32, 3, 4, 32)));
  }

  @Test
  void derive_outOfRangeParameters_rejected() {
    assertThrows(IllegalArgumentException.class, () -> Argon2id.derive(null, new byte[16], 64, 1, 1, 32));
    assertThrows(IllegalArgumentException.class, () -> Argon2id.derive(new byte[1], new byte[16], 64, 0, 1, 32));
    assertThrows(IllegalArgumentException.class, () -> Argon2id.derive(new byte[1], new byte[16], 7, 1, 1, 32));
    assertThrows(IllegalArgumentException.class, () -> Argon2id.derive(new byte[1], new byte[16], 64, 1, 1, 3));
  }
}
