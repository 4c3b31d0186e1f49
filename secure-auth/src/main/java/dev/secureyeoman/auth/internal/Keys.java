package dev.secureyeoman.auth.internal;

import dev.secureyeoman.core.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Purpose-bound 256-bit keys derived from the master key: HMAC-SHA256(master, "secureyeoman/auth/" + label), and the
 * keyed hashes the service stores instead of secrets (refresh tokens, challenges, recovery codes, unknown user names).
 */
final class Keys implements AutoCloseable {
  private final SecretBytes master;
  private final SecretBytes refreshKey;
  private final SecretBytes challengeKey;
  private final SecretBytes recoveryKey;
  private final SecretBytes auditNameKey;

  /** Takes ownership of {@code master} (wiped on close). */
  Keys(SecretBytes master) {
    this.master = master;
    this.refreshKey = derive("refresh-token-hmac");
    this.challengeKey = derive("mfa-challenge-hmac");
    this.recoveryKey = derive("recovery-code-hmac");
    this.auditNameKey = derive("audit-username-hmac");
  }

  SecretBytes derive(String label) {
    byte[] k = master.toByteArray();
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(k, "HmacSHA256"));
      return SecretBytes.adopt(mac.doFinal(("secureyeoman/auth/" + label).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  /** HMAC-SHA256 of {@code data} under a derived key. */
  static byte[] hmac(SecretBytes key, String data) {
    byte[] k = key.toByteArray();
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(k, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  byte[] refreshHash(String token) {
    return hmac(refreshKey, token);
  }

  byte[] challengeHash(String token) {
    return hmac(challengeKey, token);
  }

  byte[] recoveryHash(String userId, String normalizedCode) {
    return hmac(recoveryKey, userId + ":" + normalizedCode);
  }

  /** The key of the audit log's hashes of unknown user names (the caller does not close it). */
  SecretBytes auditNameKey() {
    return auditNameKey;
  }

  @Override
  public void close() {
    refreshKey.close();
    challengeKey.close();
    recoveryKey.close();
    auditNameKey.close();
    master.close();
  }
}
