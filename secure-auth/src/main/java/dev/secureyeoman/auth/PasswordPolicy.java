package dev.secureyeoman.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Length-based password policy (NIST SP 800-63B style: length bounds and a blocklist, no composition rules).
 *
 * <p>Lengths count Unicode code points, so a password of emoji is measured the way a user sees it. The {@link
 * AuthService} applies the policy to the NFKC-normalised password (the form that is hashed).
 *
 * @param minLength minimum length in code points (at least 8)
 * @param maxLength maximum length in code points (at least 64 and at least {@code minLength}, at most {@link
 *     #MAX_LENGTH})
 * @param blocklist lower-cased passwords that are refused regardless of length
 */
public record PasswordPolicy(int minLength, int maxLength, Set<String> blocklist) {

  /** Default minimum length, as the specification asks. */
  public static final int DEFAULT_MIN_LENGTH = 32;

  /** Default maximum length; long enough for passphrases, short enough to bound hashing cost. */
  public static final int DEFAULT_MAX_LENGTH = 256;

  /**
   * The hard maximum of every password, in code points (1 024): longer input is refused at login before it is encoded
   * or hashed, so password length cannot be used to exhaust memory.
   */
  public static final int MAX_LENGTH = 1024;

  /** Validates the bounds. */
  public PasswordPolicy {
    if (minLength < 8) {
      throw new IllegalArgumentException("minLength must be >= 8, got " + minLength);
    }
    if (maxLength < 64 || maxLength < minLength || maxLength > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "maxLength must be >= 64, >= minLength and <= " + MAX_LENGTH + ", got " + maxLength);
    }
    blocklist = blocklist == null ? Set.of() : Set.copyOf(blocklist);
  }

  /**
   * The default policy: 32 to 256 code points, empty blocklist.
   *
   * @return the default policy
   */
  public static PasswordPolicy defaults() {
    return new PasswordPolicy(DEFAULT_MIN_LENGTH, DEFAULT_MAX_LENGTH, Set.of());
  }

  /** Largest blocklist file accepted (bytes), so a misconfigured path cannot exhaust memory. */
  public static final long MAX_BLOCKLIST_BYTES = 64L * 1024 * 1024;

  /**
   * Returns a copy of this policy whose blocklist also contains every non-empty, non-comment ({@code #}) line of a UTF-8
   * file (one password per line, compared case-insensitively).
   *
   * @param file the blocklist file, at most {@link #MAX_BLOCKLIST_BYTES}
   * @return the extended policy
   * @throws IOException if the file cannot be read or is too large
   */
  public PasswordPolicy withBlocklistFile(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_BLOCKLIST_BYTES) {
      throw new IOException("blocklist file " + file + " is larger than " + MAX_BLOCKLIST_BYTES + " bytes");
    }
    Set<String> all = new HashSet<>(blocklist);
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        all.add(t.toLowerCase(Locale.ROOT));
      }
    }
    return new PasswordPolicy(minLength, maxLength, all);
  }

  /**
   * Checks a candidate password.
   *
   * @param password the candidate; not retained
   * @return the reasons it is refused, empty if acceptable (reasons never contain the password)
   */
  public List<String> violations(CharSequence password) {
    List<String> out = new ArrayList<>();
    if (password == null) {
      out.add("password is required");
      return out;
    }
    int len = Character.codePointCount(password, 0, password.length());
    if (len < minLength) {
      out.add("password must be at least " + minLength + " characters");
    }
    if (len > maxLength) {
      out.add("password must be at most " + maxLength + " characters");
    }
    if (!blocklist.isEmpty() && blocklist.contains(password.toString().toLowerCase(Locale.ROOT))) {
      out.add("password is on the blocklist of common passwords");
    }
    return out;
  }
}
