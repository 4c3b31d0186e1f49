package dev.secureyeoman.audit.internal;

import dev.secureyeoman.audit.AuditKeyring;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Lets the implementation read key bytes from an {@link AuditKeyring} without a public accessor (Tink-style). */
public final class KeyringAccess {
  /** Reads one key's bytes. */
  @FunctionalInterface
  public interface Accessor {
    /**
     * Returns a copy of the key bytes.
     *
     * @param ring the ring
     * @param keyId the key id
     * @return a fresh copy, or null when the ring lacks the id
     */
    byte[] keyBytes(AuditKeyring ring, int keyId);
  }

  private static volatile Accessor accessor;

  private KeyringAccess() {}

  /**
   * Installed once by {@link AuditKeyring}'s static initialiser.
   *
   * @param a the accessor
   */
  public static synchronized void install(Accessor a) {
    if (accessor != null) {
      throw new IllegalStateException("accessor already installed");
    }
    accessor = a;
  }

  /**
   * Creates an HMAC-SHA256 instance keyed with one epoch of the ring.
   *
   * @param ring the ring
   * @param keyId the key id
   * @return an initialised Mac, or null when the ring lacks the id
   */
  public static Mac newMac(AuditKeyring ring, int keyId) {
    byte[] key = accessor.keyBytes(ring, keyId);
    if (key == null) {
      return null;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /**
   * Derives bytes from one epoch's key for a named purpose (HMAC-SHA256(key, label)).
   *
   * @param ring the ring
   * @param keyId the key id
   * @param label purpose label
   * @return 32 derived bytes, or null when the ring lacks the id
   */
  public static byte[] derive(AuditKeyring ring, int keyId, String label) {
    Mac mac = newMac(ring, keyId);
    return mac == null ? null : mac.doFinal(label.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
