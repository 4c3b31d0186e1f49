package dev.secureyeoman.auth.internal;

import dev.secureyeoman.auth.PasswordPolicy;
import java.nio.CharBuffer;
import java.text.Normalizer;
import org.jspecify.annotations.Nullable;

/**
 * What a password is before it is hashed (NIST SP 800-63B §5.1.1.2): well-formed UTF-16 (a lone surrogate is refused,
 * never replaced by {@code ?}), at most {@link PasswordPolicy#MAX_LENGTH} code points (checked on the {@code char[]}
 * before anything is allocated or encoded), then normalised with Unicode NFKC so that the same password typed on two
 * keyboards hashes the same.
 */
final class PasswordText {
  /** Why a password cannot be hashed. */
  enum Problem {
    TOO_LONG,
    MALFORMED_UTF16
  }

  private PasswordText() {}

  /** Returns the problem, or null when the password can be hashed. Allocates nothing. */
  static @Nullable Problem check(char[] password) {
    if (password.length > 2L * PasswordPolicy.MAX_LENGTH) {
      return Problem.TOO_LONG; // even all-surrogate-pair text this long exceeds the bound
    }
    int codePoints = 0;
    for (int i = 0; i < password.length; i++) {
      char c = password[i];
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= password.length || !Character.isLowSurrogate(password[i + 1])) {
          return Problem.MALFORMED_UTF16;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return Problem.MALFORMED_UTF16;
      }
      codePoints++;
    }
    return codePoints > PasswordPolicy.MAX_LENGTH ? Problem.TOO_LONG : null;
  }

  /**
   * The NFKC form: {@code password} itself when it is already normalised (the common case, no copy), else a new array
   * the caller wipes. The JDK normaliser works on strings, so a password that needs normalising passes through one
   * immutable {@code String} (documented in SECURITY.md).
   */
  static char[] nfkc(char[] password) {
    CharBuffer in = CharBuffer.wrap(password);
    if (Normalizer.isNormalized(in, Normalizer.Form.NFKC)) {
      return password;
    }
    return Normalizer.normalize(in, Normalizer.Form.NFKC).toCharArray();
  }
}
