package dev.secureyeoman.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.EnvelopeException.Reason;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretStoresTest {
  static byte[] aad(String user) {
    return ("totp-secret:v1:" + user).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void withKey_totpSecretBoundToUser_otherUserCannotUseIt() throws Exception {
    byte[] key = new byte[32];
    key[0] = 1;
    SecretStore store = SecretStores.withKey(SecretBytes.copyOf(key));
    byte[] secret = "JBSWY3DPEHPK3PXP".getBytes(StandardCharsets.US_ASCII);
    byte[] env = store.encrypt(secret, aad("alice"));
    assertArrayEquals(secret, store.decrypt(env, aad("alice")));
    // copying alice's envelope into bob's row does not decrypt there
    assertEquals(Reason.TAMPERED, assertThrows(EnvelopeException.class, () -> store.decrypt(env, aad("bob"))).reason());
    byte[] other = key.clone();
    other[0] = 2;
    assertEquals(Reason.WRONG_KEY, assertThrows(EnvelopeException.class,
        () -> SecretStores.withKey(SecretBytes.copyOf(other)).decrypt(env, aad("alice"))).reason());
  }

  @Test
  void withKey_callerClosesItsHolder_storeKeepsWorking() throws Exception {
    SecretBytes holder = SecretBytes.copyOf(new byte[32]);
    SecretStore store = SecretStores.withKey(holder);
    holder.close();
    byte[] env = store.encrypt(new byte[] {1}, new byte[0]);
    assertArrayEquals(new byte[] {1}, store.decrypt(env, new byte[0]));
  }

  @Test
  void withKey_wrongLength_rejected() {
    assertThrows(IllegalArgumentException.class, () -> SecretStores.withKey(SecretBytes.copyOf(new byte[24])));
    assertThrows(IllegalArgumentException.class, () -> SecretStores.withRecipient(null, EnvelopeCipher.create()));
  }
}
