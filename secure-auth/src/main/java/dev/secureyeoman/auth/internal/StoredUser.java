package dev.secureyeoman.auth.internal;

import dev.secureyeoman.auth.totp.TotpParameters;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** One row of {@code users} (read by {@link UserRepository}, by column name). Holds sealed TOTP secrets only. */
record StoredUser(
    String id,
    String username,
    String passwordHash,
    Set<String> roles,
    long tokenVersion,
    boolean disabled,
    boolean mustChangePassword,
    boolean totpEnabled,
    byte @Nullable [] totpSecret,
    @Nullable TotpParameters totpParameters,
    byte @Nullable [] pendingSecret,
    long pendingExpiresAt,
    int mfaFailures,
    @Nullable Long mfaLastFailureAt,
    boolean mfaLocked,
    long createdAt,
    long updatedAt) {

  /** This row with another password hash (after a rehash this instance committed). */
  StoredUser withPasswordHash(String hash) {
    return new StoredUser(
        id, username, hash, roles, tokenVersion, disabled, mustChangePassword, totpEnabled, totpSecret, totpParameters,
        pendingSecret, pendingExpiresAt, mfaFailures, mfaLastFailureAt, mfaLocked, createdAt, updatedAt);
  }

  static Set<String> parseRoles(String s) {
    return s == null || s.isEmpty() ? Set.of() : Set.of(s.split(","));
  }

  static String formatRoles(Set<String> roles) {
    return String.join(",", new TreeSet<>(roles));
  }

  /** User names are unique ignoring case. */
  static String key(String username) {
    return username.toLowerCase(Locale.ROOT);
  }
}
