package dev.secureyeoman.auth.internal;

import java.security.SecureRandom;
import java.util.Base64;

/** Random identifiers and opaque tokens (base64url without padding) from the service's {@link SecureRandom}. */
final class Ids {
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private final SecureRandom random;

  Ids(SecureRandom random) {
    this.random = random;
  }

  /** {@code bytes} random bytes, base64url. */
  String newId(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return B64URL.encodeToString(b);
  }

  void nextBytes(byte[] b) {
    random.nextBytes(b);
  }
}
