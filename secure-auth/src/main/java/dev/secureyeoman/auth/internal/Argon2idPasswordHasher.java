package dev.secureyeoman.auth.internal;

import dev.secureyeoman.auth.PasswordHashParameters;
import dev.secureyeoman.auth.PasswordHasher;
import dev.secureyeoman.auth.PasswordPolicy;
import dev.secureyeoman.core.internal.Argon2id;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * Argon2id password hashes (core's {@link Argon2id}), PHC strings, bounded concurrency. Passwords are checked and
 * normalised by {@link PasswordText} (at most 1 024 code points, well-formed UTF-16, NFKC); the hashing permit is taken
 * before the password is normalised or encoded and held until its bytes are wiped, so at most {@code maxConcurrent}
 * passwords are in memory as bytes at once.
 */
public final class Argon2idPasswordHasher implements PasswordHasher {
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final PasswordHashParameters params;
  private final Semaphore slots;
  private final SecureRandom random;

  /**
   * Creates the hasher.
   *
   * @param params cost parameters
   * @param maxConcurrent concurrent hashes allowed
   * @param random salt source
   */
  public Argon2idPasswordHasher(PasswordHashParameters params, int maxConcurrent, SecureRandom random) {
    this.params = Objects.requireNonNull(params, "parameters");
    this.random = Objects.requireNonNull(random, "random");
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent must be >= 1, got " + maxConcurrent);
    }
    this.slots = new Semaphore(maxConcurrent, true);
  }

  @Override
  public PasswordHashParameters parameters() {
    return params;
  }

  @Override
  public String hash(char[] password) throws InterruptedException {
    Objects.requireNonNull(password, "password");
    PasswordText.Problem problem = PasswordText.check(password);
    if (problem == PasswordText.Problem.TOO_LONG) {
      throw new IllegalArgumentException("password must be at most " + PasswordPolicy.MAX_LENGTH + " code points");
    }
    if (problem == PasswordText.Problem.MALFORMED_UTF16) {
      throw new IllegalArgumentException("password is not well-formed UTF-16 (lone surrogate)");
    }
    byte[] salt = new byte[params.saltLength()];
    random.nextBytes(salt);
    byte[] out = derive(password, salt, params.memoryKiB(), params.iterations(), params.parallelism(), params.hashLength());
    String phc = Phc.format(params, salt, out);
    Arrays.fill(out, (byte) 0);
    return phc;
  }

  @Override
  public boolean verify(char[] password, String encoded) throws InterruptedException {
    Objects.requireNonNull(password, "password");
    Optional<Phc> phc = Phc.parse(encoded);
    if (phc.isEmpty() || PasswordText.check(password) != null) {
      return false;
    }
    Phc p = phc.get();
    byte[] out = derive(password, p.salt(), p.memoryKiB(), p.iterations(), p.parallelism(), p.hash().length);
    boolean ok = MessageDigest.isEqual(out, p.hash());
    Arrays.fill(out, (byte) 0);
    return ok;
  }

  @Override
  public boolean needsRehash(String encoded) {
    Optional<Phc> phc = Phc.parse(encoded);
    if (phc.isEmpty()) {
      return true;
    }
    Phc p = phc.get();
    return params.isStrongerThan(
        new PasswordHashParameters(p.memoryKiB(), p.iterations(), p.parallelism(), p.salt().length, p.hash().length));
  }

  /**
   * Raw Argon2id (no secret, no associated data) under the concurrency bound: the permit covers normalising, encoding,
   * hashing and wiping.
   *
   * @param password password characters (already checked), normalised with NFKC and encoded as UTF-8
   * @param salt the salt
   * @param memoryKiB memory cost
   * @param iterations time cost
   * @param parallelism lanes
   * @param length output length
   * @return the tag
   * @throws InterruptedException if interrupted while waiting for a slot
   */
  byte[] derive(char[] password, byte[] salt, int memoryKiB, int iterations, int parallelism, int length)
      throws InterruptedException {
    slots.acquire();
    char[] normalized = null;
    byte[] pw = null;
    try {
      normalized = PasswordText.nfkc(password);
      pw = utf8(normalized);
      return Argon2id.derive(pw, salt, memoryKiB, iterations, parallelism, length);
    } finally {
      if (pw != null) {
        Arrays.fill(pw, (byte) 0);
      }
      if (normalized != null && normalized != password) {
        Arrays.fill(normalized, '\0');
      }
      slots.release();
    }
  }

  private static byte[] utf8(char[] password) {
    ByteBuffer bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] b = new byte[bb.remaining()];
    bb.get(b);
    if (bb.hasArray()) {
      Arrays.fill(bb.array(), (byte) 0);
    }
    return b;
  }

  /** A parsed PHC string {@code $argon2id$v=19$m=..,t=..,p=..$salt$hash}, with bounds checked before allocation. */
  record Phc(int memoryKiB, int iterations, int parallelism, byte[] salt, byte[] hash) {

    static String format(PasswordHashParameters p, byte[] salt, byte[] hash) {
      return "$argon2id$v=19$m="
          + p.memoryKiB()
          + ",t="
          + p.iterations()
          + ",p="
          + p.parallelism()
          + "$"
          + B64.encodeToString(salt)
          + "$"
          + B64.encodeToString(hash);
    }

    static Optional<Phc> parse(String s) {
      if (s == null || s.length() > 256) {
        return Optional.empty();
      }
      String[] parts = s.split("\\$", -1);
      // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
      if (parts.length != 6 || !parts[0].isEmpty() || !"argon2id".equals(parts[1]) || !"v=19".equals(parts[2])) {
        return Optional.empty();
      }
      String[] kv = parts[3].split(",", -1);
      if (kv.length != 3
          || !kv[0].startsWith("m=")
          || !kv[1].startsWith("t=")
          || !kv[2].startsWith("p=")) {
        return Optional.empty();
      }
      try {
        int m = parseBounded(kv[0].substring(2), PasswordHashParameters.MAX_MEMORY_KIB);
        int t = parseBounded(kv[1].substring(2), PasswordHashParameters.MAX_ITERATIONS);
        int p = parseBounded(kv[2].substring(2), 16);
        if (m < 8 * p || t < 1 || p < 1) {
          return Optional.empty();
        }
        if (parts[4].length() > 88 || parts[5].length() > 88) {
          return Optional.empty();
        }
        byte[] salt = B64D.decode(parts[4]);
        byte[] hash = B64D.decode(parts[5]);
        if (salt.length < 8 || salt.length > 64 || hash.length < 16 || hash.length > 64) {
          return Optional.empty();
        }
        return Optional.of(new Phc(m, t, p, salt, hash));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }

    private static int parseBounded(String digits, int max) {
      if (digits.isEmpty() || digits.length() > 8 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("not a bounded number");
      }
      int v = Integer.parseInt(digits);
      if (v > max) {
        throw new IllegalArgumentException("out of bounds");
      }
      return v;
    }
  }
}
