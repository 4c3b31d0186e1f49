package dev.secureyeoman.auth.spring;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.auth.AuthDataSources;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthSettings;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.LoginResult;
import dev.secureyeoman.auth.PasswordHashParameters;
import dev.secureyeoman.auth.Principal;
import dev.secureyeoman.auth.totp.Base32;
import dev.secureyeoman.auth.totp.TotpEnrollment;
import dev.secureyeoman.auth.totp.TotpParameters;
import dev.secureyeoman.auth.totp.TotpService;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.testkit.TestClock;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * Real {@link AuthService}s on an SQLite file in a temp dir (cheap Argon2 so the suite stays fast), with a hand-moved
 * clock and an audit sink that records events and can be switched to fail.
 */
final class AuthServices {
  static final String ADMIN_PASSWORD = "correct horse battery staple admin pw";
  static final String BOB_PASSWORD = "another long passphrase for bob user!";
  static final ClientInfo CLIENT = ClientInfo.of("198.51.100.7");
  static final PasswordHashParameters CHEAP = new PasswordHashParameters(64, 1, 1, 16, 32);

  final Path dbFile;
  final TestClock clock = TestClock.at(Instant.parse("2026-11-24T10:00:00Z"));
  final RecordingAuditSink audit = new RecordingAuditSink();
  final AuthSettings settings;
  private final byte[] masterKey = new byte[32];

  AuthServices(Path dir) {
    this(dir, AuthSettings.builder().hashParameters(CHEAP).build());
  }

  AuthServices(Path dir, AuthSettings settings) {
    this.dbFile = dir.resolve("auth.db");
    this.settings = settings;
    new SecureRandom().nextBytes(masterKey);
  }

  /** Opens a service on the same database and master key (call again to simulate a restart or a second instance). */
  AuthService open() throws AuthException {
    return AuthService.builder()
        .dataSource(AuthDataSources.sqlite(dbFile))
        .auditSink(audit)
        .masterKey(SecretBytes.copyOf(masterKey))
        .settings(settings)
        .clock(clock)
        .build();
  }

  static String createAdmin(AuthService s) throws AuthException {
    return s.createUser("admin", ADMIN_PASSWORD.toCharArray(), Set.of(Principal.ROLE_ADMIN));
  }

  static String createBob(AuthService s) throws AuthException {
    return s.createUser("bob", BOB_PASSWORD.toCharArray(), Set.of());
  }

  static LoginResult.Authenticated login(AuthService s, String user, String password) throws AuthException {
    return (LoginResult.Authenticated) s.login(user, password.toCharArray(), false, CLIENT);
  }

  /** Enrolls TOTP for the user and returns the raw secret; the clock ends one period past the confirmation code. */
  byte[] enrollTotp(AuthService s, String user, String password) throws AuthException {
    Principal p = s.authenticate(login(s, user, password).tokens().accessToken());
    TotpEnrollment e = s.beginTotpEnrollment(p, password.toCharArray());
    byte[] secret = Base32.decode(e.manualEntryKey());
    lastRecoveryCodes = s.confirmTotpEnrollment(p, totp(secret)).codes();
    clock.advance(Duration.ofSeconds(30));
    return secret;
  }

  List<String> lastRecoveryCodes = List.of();

  String totp(byte[] secret) {
    return TotpService.generate(secret, clock.instant(), TotpParameters.defaults());
  }

  /** The password hash secure-auth stored for a user (the column its users table keeps it in). */
  String storedHash(String username) throws SQLException {
    try (Connection c = AuthDataSources.sqlite(dbFile).getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT password_hash FROM users WHERE username = ?")) {
      ps.setString(1, username);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("no user " + username);
        }
        return rs.getString("password_hash");
      }
    }
  }

  /** Replaces a user's stored hash, as a host migrating hashes between stores would. */
  void storeHash(String username, String hash) throws SQLException {
    try (Connection c = AuthDataSources.sqlite(dbFile).getConnection();
        PreparedStatement ps = c.prepareStatement("UPDATE users SET password_hash = ? WHERE username = ?")) {
      ps.setString(1, hash);
      ps.setString(2, username);
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException("no user " + username);
      }
    }
  }

  /** Records every event; {@link #failing} makes it throw like an unavailable audit store. */
  static final class RecordingAuditSink implements AuditSink {
    private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
    volatile boolean failing;

    @Override
    public void record(AuditEvent event) throws AuditException {
      if (failing) {
        throw new AuditException("audit store unavailable");
      }
      events.add(event);
    }

    List<AuditEvent> named(String name) {
      return events.stream().filter(e -> e.event().equals(name)).collect(Collectors.toList());
    }

    String dump() {
      return events.stream().map(AuditEvent::toString).collect(Collectors.joining("\n"));
    }
  }
}
