package dev.secureyeoman.audit;

import dev.secureyeoman.audit.internal.MacKeys;
import dev.secureyeoman.core.SecretBytes;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The HMAC-SHA256 keys of an audit log, each with an id (epoch). New entries are authenticated with the active key; every
 * entry records the id of its key, so after a rotation old entries stay verifiable as long as their key is still in the
 * ring (including after a restart: the host supplies all epochs again).
 *
 * <p>The ring holds private copies of the keys; {@link #close()} wipes them. Keys must be at least 32 bytes. Neither the
 * key bytes nor a MAC keyed with them is reachable through a public method (on the module path or the class path):
 * {@link SqliteAuditStore} hands them to the implementation it opens through a package-private accessor.
 */
public final class AuditKeyring implements AutoCloseable {
  /** Minimum key length in bytes. */
  public static final int MIN_KEY_BYTES = 32;

  private final Map<Integer, SecretBytes> keys;
  private final int activeKeyId;

  private AuditKeyring(Map<Integer, SecretBytes> keys, int activeKeyId) {
    this.keys = keys;
    this.activeKeyId = activeKeyId;
  }

  /**
   * A ring with a single key, which is active.
   *
   * @param keyId the key id (epoch), at least 1
   * @param key the key, at least 32 bytes; copied
   * @return the ring
   */
  public static AuditKeyring of(int keyId, SecretBytes key) {
    return builder().add(keyId, key).active(keyId).build();
  }

  /**
   * Starts a builder.
   *
   * @return an empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the id of the key used for new entries.
   *
   * @return the active key id
   */
  public int activeKeyId() {
    return activeKeyId;
  }

  /**
   * The store's view of the keys. Package-private on purpose: the only caller is {@link SqliteAuditStore}, which hands
   * the result to the implementation it opens; nothing public turns a keyring into a keyed MAC.
   */
  MacKeys macKeys() {
    return new MacKeys() {
      @Override
      public @Nullable Mac mac(int keyId) {
        SecretBytes k = keys.get(keyId);
        if (k == null) {
          return null;
        }
        byte[] bytes = k.toByteArray();
        try {
          Mac mac = Mac.getInstance("HmacSHA256");
          mac.init(new SecretKeySpec(bytes, "HmacSHA256"));
          return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
          throw new IllegalStateException("HmacSHA256 unavailable", e);
        } finally {
          Arrays.fill(bytes, (byte) 0);
        }
      }

      @Override
      public int activeKeyId() {
        return activeKeyId;
      }

      @Override
      public String toString() {
        return "MacKeys[" + keys.keySet() + ", ██]";
      }
    };
  }

  /**
   * Returns the key ids held.
   *
   * @return sorted, unmodifiable key ids
   */
  public Set<Integer> keyIds() {
    return keys.keySet();
  }

  /** Wipes every key copy held by this ring. */
  @Override
  public void close() {
    keys.values().forEach(SecretBytes::close);
  }

  @Override
  public String toString() {
    return "AuditKeyring[keyIds=" + keys.keySet() + ", active=" + activeKeyId + ", ██]";
  }

  /** Builder for {@link AuditKeyring}. */
  public static final class Builder {
    private final Map<Integer, SecretBytes> keys = new TreeMap<>();
    private @Nullable Integer active;

    private Builder() {}

    /**
     * Adds a key.
     *
     * @param keyId id (epoch), at least 1
     * @param key at least 32 bytes; a private copy is kept
     * @return this builder
     * @throws IllegalArgumentException if the id or key is invalid
     * @throws IllegalStateException if the id was already added
     */
    public Builder add(int keyId, SecretBytes key) {
      if (keyId < 1) {
        throw new IllegalArgumentException("keyId must be >= 1, got " + keyId);
      }
      if (key == null) {
        throw new IllegalArgumentException("key must not be null");
      }
      if (key.length() < MIN_KEY_BYTES) {
        throw new IllegalArgumentException("key must be at least " + MIN_KEY_BYTES + " bytes, got " + key.length());
      }
      if (keys.containsKey(keyId)) {
        throw new IllegalStateException("keyId " + keyId + " was already added");
      }
      byte[] copy = key.toByteArray();
      keys.put(keyId, SecretBytes.adopt(copy));
      return this;
    }

    /**
     * Chooses the key used for new entries.
     *
     * @param keyId an id added to this builder
     * @return this builder
     * @throws IllegalStateException if set twice
     */
    public Builder active(int keyId) {
      if (active != null) {
        throw new IllegalStateException("active was already set to " + active);
      }
      active = keyId;
      return this;
    }

    /**
     * Builds the ring.
     *
     * @return the ring
     * @throws IllegalStateException if no key was added, or the active id is unset or unknown
     */
    public AuditKeyring build() {
      if (keys.isEmpty()) {
        throw new IllegalStateException("at least one key must be added");
      }
      int a = active != null ? active : Collections.max(keys.keySet());
      if (!keys.containsKey(a)) {
        throw new IllegalStateException("active keyId " + a + " is not in the ring " + keys.keySet());
      }
      return new AuditKeyring(Collections.unmodifiableMap(new TreeMap<>(keys)), a);
    }
  }
}
