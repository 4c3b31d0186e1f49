package dev.secureyeoman.auth.internal;

import dev.secureyeoman.core.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Derives purpose-bound 256-bit keys from the master key: HMAC-SHA256(master, "secureyeoman/auth/" + label). */
final class Keys {
  private final SecretBytes master;

  Keys(SecretBytes master) {
    this.master = master;
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

  void close() {
    master.close();
  }
}
