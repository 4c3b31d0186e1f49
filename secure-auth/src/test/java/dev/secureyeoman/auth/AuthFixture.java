package dev.secureyeoman.auth;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.testkit.TestClock;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Builds real services on an SQLite file in a temp dir (or, when {@link #dataSource} is set, on that data source: the
 * PostgreSQL runs of the shared suites), with cheap Argon2 so the suite stays fast.
 */
public final class AuthFixture {
  public static final String ADMIN_PASSWORD = "correct horse battery staple admin pw";
  public static final String USER_PASSWORD = "another long passphrase for bob user!";
  public static final ClientInfo CLIENT = ClientInfo.of("198.51.100.7");
  public static final PasswordHashParameters CHEAP = new PasswordHashParameters(64, 1, 1, 16, 32);

  public final Path dbFile;
  public final TestClock clock = TestClock.at(Instant.parse("2026-11-24T10:00:00Z"));
  public final MemoryAuditSink audit = new MemoryAuditSink();
  public final byte[] masterKey = new byte[32];
  public AuthSettings settings;
  public dev.secureyeoman.core.crypto.SecretStore secretStore;
  public PasswordHasher passwordHasher;
  /** Monotonic nanoseconds for the service; null for {@link System#nanoTime()}. */
  public java.util.function.LongSupplier ticker;
  /** The database of every service this fixture opens; null for the SQLite file {@link #dbFile}. */
  public DataSource dataSource;
  /**
   * How a child JVM ({@link ChildAuth}) reaches {@link #dataSource}: JDBC URL, user, password; null for the SQLite file.
   */
  public String[] postgres;

  public AuthFixture(Path dir) {
    this(dir, AuthSettings.builder().hashParameters(CHEAP).build());
  }

  public AuthFixture(Path dir, AuthSettings settings) {
    this.dbFile = dir.resolve("auth.db");
    this.settings = settings;
    Arrays.fill(masterKey, (byte) 7);
  }

  public DataSource dataSource() {
    return dataSource != null ? dataSource : AuthDataSources.sqlite(dbFile);
  }

  /** Whether this fixture runs on the SQLite file (tests that read the file's bytes). */
  public boolean onSqlite() {
    return dataSource == null;
  }

  /** Opens a service on the same files (call again to simulate a restart). */
  public AuthService open() throws AuthException {
    AuthService.Builder b =
        AuthService.builder()
            .dataSource(dataSource())
            .auditSink(audit)
            .masterKey(SecretBytes.copyOf(masterKey))
            .settings(settings)
            .clock(clock)
            .random(new SecureRandom());
    if (secretStore != null) {
      b.secretStore(secretStore);
    }
    if (passwordHasher != null) {
      b.passwordHasher(passwordHasher);
    }
    if (ticker != null) {
      b.ticker(ticker);
    }
    return b.build();
  }

  public static String createAdmin(AuthService s) throws AuthException {
    return s.createUser("admin", ADMIN_PASSWORD.toCharArray(), Set.of(Principal.ROLE_ADMIN));
  }

  public static String createBob(AuthService s) throws AuthException {
    return s.createUser("bob", USER_PASSWORD.toCharArray(), Set.of());
  }

  public static LoginResult.Authenticated login(AuthService s, String user, String pw, boolean rememberMe)
      throws AuthException {
    LoginResult r = s.login(user, pw.toCharArray(), rememberMe, CLIENT);
    return (LoginResult.Authenticated) r;
  }

  /** Enrols TOTP for the principal (password re-authentication included) and returns the raw secret. */
  public byte[] enrollTotp(AuthService s, Principal p, String password) throws AuthException {
    byte[] secret =
        dev.secureyeoman.auth.totp.Base32.decode(s.beginTotpEnrollment(p, password.toCharArray()).manualEntryKey());
    s.confirmTotpEnrollment(p, totp(secret));
    return secret;
  }

  /** The TOTP code of {@code secret} at the fixture's current time (default parameters). */
  public String totp(byte[] secret) {
    return dev.secureyeoman.auth.totp.TotpService.generate(
        secret, clock.instant(), dev.secureyeoman.auth.totp.TotpParameters.defaults());
  }

  public void advance(Duration d) {
    clock.advance(d);
  }
}
