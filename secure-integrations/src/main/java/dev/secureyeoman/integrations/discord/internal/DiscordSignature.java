package dev.secureyeoman.integrations.discord.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * Discord interaction signatures: Ed25519 over {@code X-Signature-Timestamp + raw body}, verified with the JDK's
 * {@code Ed25519} provider (no third-party crypto). The timestamp must also be within the window of now (Discord does
 * not require this; it bounds how long a captured request stays replayable).
 */
public final class DiscordSignature {
  /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (OID 1.3.101.112) followed by the 32 raw key bytes. */
  private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  /** Outcomes. */
  public enum Verdict {
    /** Authentic and fresh. */
    VALID,
    /** Header missing or malformed. */
    MALFORMED,
    /** The signature does not verify. */
    BAD_SIGNATURE,
    /** Authentic but outside the timestamp window. */
    STALE
  }

  private DiscordSignature() {}

  /**
   * Decodes a raw 32-byte Ed25519 public key.
   *
   * @param raw the key bytes
   * @return the key
   * @throws GeneralSecurityException if the bytes are not a valid key
   */
  public static PublicKey publicKey(byte[] raw) throws GeneralSecurityException {
    if (raw.length != 32) {
      throw new GeneralSecurityException("an Ed25519 public key has 32 bytes");
    }
    byte[] der = new byte[X509_PREFIX.length + 32];
    System.arraycopy(X509_PREFIX, 0, der, 0, X509_PREFIX.length);
    System.arraycopy(raw, 0, der, X509_PREFIX.length, 32);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
  }

  /**
   * Verifies a request.
   *
   * @param key the application's public key
   * @param timestamp {@code X-Signature-Timestamp}, may be null
   * @param signatureHex {@code X-Signature-Ed25519}, may be null
   * @param body the raw body
   * @param now the current time
   * @param window the allowed distance between the timestamp and now
   * @return the verdict
   */
  public static Verdict verify(
      PublicKey key,
      @Nullable String timestamp,
      @Nullable String signatureHex,
      byte[] body,
      Instant now,
      Duration window) {
    if (timestamp == null || signatureHex == null || !timestamp.matches("[0-9]{1,12}")
        || !signatureHex.matches("[0-9a-fA-F]{128}")) {
      return Verdict.MALFORMED;
    }
    boolean ok;
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(timestamp.getBytes(StandardCharsets.US_ASCII));
      s.update(body);
      ok = s.verify(HexFormat.of().parseHex(signatureHex));
    } catch (GeneralSecurityException e) {
      ok = false; // e.g. a non-canonical encoding: not a valid signature
    }
    if (!ok) {
      return Verdict.BAD_SIGNATURE;
    }
    long age = Math.abs(now.getEpochSecond() - Long.parseLong(timestamp));
    return age > window.toSeconds() ? Verdict.STALE : Verdict.VALID;
  }
}
