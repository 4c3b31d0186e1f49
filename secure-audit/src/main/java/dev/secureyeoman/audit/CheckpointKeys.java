package dev.secureyeoman.audit;

import dev.secureyeoman.core.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Ed25519 keys for signing checkpoints (JDK provider only). */
public final class CheckpointKeys {
  private static final byte[] X509_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };
  private static final String DERIVE_LABEL = "secureyeoman-audit-checkpoint-ed25519-v1";

  private CheckpointKeys() {}

  /**
   * Generates a fresh key pair.
   *
   * @param random randomness source
   * @return an Ed25519 key pair
   */
  public static KeyPair generate(SecureRandom random) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
      g.initialize(NamedParameterSpec.ED25519, random);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 unavailable", e);
    }
  }

  /**
   * Derives the key pair deterministically from a 32-byte seed (RFC 8032 private key).
   *
   * @param seed exactly 32 bytes
   * @return the key pair
   */
  public static KeyPair fromSeed(SecretBytes seed) {
    if (seed == null || seed.length() != 32) {
      throw new IllegalArgumentException("seed must be exactly 32 bytes");
    }
    byte[] s = seed.toByteArray();
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
      g.initialize(NamedParameterSpec.ED25519, new FixedRandom(s));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 unavailable", e);
    } finally {
      Arrays.fill(s, (byte) 0);
    }
  }

  /**
   * Derives the checkpoint key pair from the audit MAC key (HMAC-SHA256(key, label) as the seed), so a host that holds one
   * audit key can sign checkpoints without a second secret. An auditor needs only the public key.
   *
   * @param auditKey the audit key, at least 32 bytes
   * @return the key pair
   */
  public static KeyPair deriveFromAuditKey(SecretBytes auditKey) {
    if (auditKey == null || auditKey.length() < AuditKeyring.MIN_KEY_BYTES) {
      throw new IllegalArgumentException("auditKey must be at least 32 bytes");
    }
    byte[] k = auditKey.toByteArray();
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(k, "HmacSHA256"));
      try (SecretBytes seed = SecretBytes.adopt(mac.doFinal(DERIVE_LABEL.getBytes(StandardCharsets.UTF_8)))) {
        return fromSeed(seed);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  /**
   * Encodes a public key as base64 of its 32 raw bytes.
   *
   * @param key an Ed25519 public key
   * @return base64 text
   */
  public static String encodePublicKey(PublicKey key) {
    return Base64.getEncoder().encodeToString(rawPublicKey(key));
  }

  /**
   * Decodes a public key from base64 of its 32 raw bytes.
   *
   * @param base64 the text produced by {@link #encodePublicKey(PublicKey)}
   * @return the key
   * @throws IllegalArgumentException if the text is not a valid Ed25519 public key
   */
  public static PublicKey decodePublicKey(String base64) {
    try {
      byte[] raw = Base64.getDecoder().decode(base64.strip());
      if (raw.length != 32) {
        throw new IllegalArgumentException("Ed25519 public key must be 32 bytes, got " + raw.length);
      }
      byte[] enc = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + 32);
      System.arraycopy(raw, 0, enc, X509_PREFIX.length, 32);
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(enc));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a valid Ed25519 public key", e);
    }
  }

  static byte[] rawPublicKey(PublicKey key) {
    byte[] enc = key.getEncoded();
    if (enc == null || enc.length != X509_PREFIX.length + 32
        || !Arrays.equals(Arrays.copyOf(enc, X509_PREFIX.length), X509_PREFIX)) {
      throw new IllegalArgumentException("key must be an Ed25519 public key");
    }
    return Arrays.copyOfRange(enc, X509_PREFIX.length, enc.length);
  }

  /** Feeds a fixed seed to the JDK key pair generator, which draws exactly the 32-byte private key from it. */
  private static final class FixedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] seed;

    FixedRandom(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (bytes.length != seed.length) {
        throw new IllegalStateException("unexpected draw of " + bytes.length + " bytes");
      }
      System.arraycopy(seed, 0, bytes, 0, seed.length);
      Arrays.fill(seed, (byte) 0);
    }
  }
}
