package dev.secureyeoman.auth.internal;

import dev.secureyeoman.core.SecretBytes;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stand-in for secure-core's {@code SecretStore} (same two operations) until it lands: AES-256-GCM with a random 12-byte
 * nonce and caller AAD. Layout: {@code version(1)=1 | nonce(12) | ciphertext+tag}; the version byte is also AAD.
 *
 * <p>TODO(core): replace with {@code dev.secureyeoman.core.crypto.SecretStore} once secure-core is merged.
 */
final class SecretBox {
  private static final byte VERSION = 1;
  private final SecretBytes key;
  private final SecureRandom random;

  SecretBox(SecretBytes key, SecureRandom random) {
    this.key = key;
    this.random = random;
  }

  byte[] encrypt(byte[] plaintext, byte[] aad) {
    byte[] nonce = new byte[12];
    random.nextBytes(nonce);
    byte[] k = key.toByteArray();
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, "AES"), new GCMParameterSpec(128, nonce));
      c.updateAAD(new byte[] {VERSION});
      c.updateAAD(aad);
      byte[] ct = c.doFinal(plaintext);
      return ByteBuffer.allocate(1 + 12 + ct.length).put(VERSION).put(nonce).put(ct).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  byte[] decrypt(byte[] envelope, byte[] aad) throws AEADBadTagException {
    if (envelope == null || envelope.length < 1 + 12 + 16 || envelope[0] != VERSION) {
      throw new AEADBadTagException("decryption failed");
    }
    byte[] k = key.toByteArray();
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.DECRYPT_MODE, new SecretKeySpec(k, "AES"), new GCMParameterSpec(128, envelope, 1, 12));
      c.updateAAD(new byte[] {VERSION});
      c.updateAAD(aad);
      return c.doFinal(envelope, 13, envelope.length - 13);
    } catch (AEADBadTagException e) {
      throw new AEADBadTagException("decryption failed");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }
}
