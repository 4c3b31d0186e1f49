package dev.secureyeoman.auth;

import dev.secureyeoman.auth.internal.Argon2idPasswordHasher;
import java.security.SecureRandom;

/**
 * Hashes and verifies passwords. The default implementation is Argon2id (Bouncy Castle, type {@code ARGON2_id}
 * explicitly) with hashes in PHC string format ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}).
 *
 * <p><b>Passwords.</b> At most {@link PasswordPolicy#MAX_LENGTH} (1 024) code points of well-formed UTF-16, normalised
 * with Unicode NFKC before hashing (NIST SP 800-63B §5.1.1.2), so {@code "ﬁ"} and {@code "fi"}, or full-width and ASCII
 * digits, are the same password. A lone surrogate is refused, never replaced.
 *
 * <p><b>Security guarantees.</b> Comparisons are constant-time; at most {@code maxConcurrent} hashes run at once (others
 * wait, and the permit is taken before the password is normalised or encoded), so a flood of logins cannot allocate
 * unbounded memory; cost parameters read from a stored hash are bounded before any allocation. <b>Non-goals:</b>
 * peppering and password-strength estimation.
 */
public interface PasswordHasher {

  /**
   * Hashes a password with fresh random salt.
   *
   * @param password the password; not retained, not wiped (the caller owns it)
   * @return the PHC string
   * @throws IllegalArgumentException if the password is longer than {@link PasswordPolicy#MAX_LENGTH} code points or
   *     holds a lone surrogate
   * @throws InterruptedException if interrupted while waiting for a hashing slot
   */
  String hash(char[] password) throws InterruptedException;

  /**
   * Verifies a password against a PHC string in constant time.
   *
   * @param password the candidate
   * @param encoded the stored PHC string
   * @return whether it matches (false also for a malformed or out-of-bounds string, and for a password that {@link
   *     #hash} would refuse)
   * @throws InterruptedException if interrupted while waiting for a hashing slot
   */
  boolean verify(char[] password, String encoded) throws InterruptedException;

  /**
   * Whether a stored hash uses weaker parameters than this hasher's (or cannot be parsed).
   *
   * @param encoded the stored PHC string
   * @return true if it should be recomputed at the next successful login
   */
  boolean needsRehash(String encoded);

  /**
   * Returns the parameters new hashes use.
   *
   * @return the parameters
   */
  PasswordHashParameters parameters();

  /**
   * Creates the Argon2id hasher.
   *
   * @param parameters cost parameters
   * @param maxConcurrent maximum hashes computed at once (bounds memory to {@code maxConcurrent × memoryKiB})
   * @param random salt source
   * @return the hasher
   */
  static PasswordHasher argon2id(PasswordHashParameters parameters, int maxConcurrent, SecureRandom random) {
    return new Argon2idPasswordHasher(parameters, maxConcurrent, random);
  }
}
