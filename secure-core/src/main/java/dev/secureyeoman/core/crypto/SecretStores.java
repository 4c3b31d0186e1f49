package dev.secureyeoman.core.crypto;

import dev.secureyeoman.core.SecretBytes;

/** Factories for {@link SecretStore}. */
public final class SecretStores {
  private SecretStores() {}

  /**
   * A store that seals every secret for one raw 256-bit key (key id derived from the key), with default limits and a
   * new {@link java.security.SecureRandom}. Typical use: encrypting TOTP secrets with associated data
   * {@code "totp-secret:v1:" + userId}.
   *
   * @param key exactly 32 bytes; copied, the caller may close its holder
   * @return the store
   * @throws IllegalArgumentException if the key is not 32 bytes
   */
  public static SecretStore withKey(SecretBytes key) {
    return withRecipient(RecipientKey.raw(key), EnvelopeCipher.create());
  }

  /**
   * A store for any recipient key. The store uses {@code key} until the key is closed.
   *
   * @param key the key that encrypts and decrypts
   * @param cipher the envelope cipher (randomness and limits)
   * @return the store
   */
  public static SecretStore withRecipient(RecipientKey key, EnvelopeCipher cipher) {
    if (key == null) {
      throw new IllegalArgumentException("key must not be null");
    }
    if (cipher == null) {
      throw new IllegalArgumentException("cipher must not be null");
    }
    return new SecretStore() {
      @Override
      public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
        return cipher.encrypt(plaintext, associatedData, key);
      }

      @Override
      public byte[] decrypt(byte[] envelope, byte[] associatedData) throws EnvelopeException {
        return cipher.decrypt(envelope, associatedData, key);
      }

      @Override
      public String toString() {
        return "SecretStore[" + key + "]";
      }
    };
  }
}
