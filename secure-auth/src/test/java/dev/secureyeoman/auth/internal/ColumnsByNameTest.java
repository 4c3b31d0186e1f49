package dev.secureyeoman.auth.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.auth.AuthDataSources;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.AuthFixture;
import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthSettings;
import dev.secureyeoman.auth.AuthTokens;
import dev.secureyeoman.auth.InvalidCredentialsException;
import dev.secureyeoman.auth.InvalidTokenException;
import dev.secureyeoman.auth.LoginResult;
import dev.secureyeoman.auth.MemoryAuditSink;
import dev.secureyeoman.testkit.TestClock;
import dev.secureyeoman.auth.Principal;
import dev.secureyeoman.auth.UserAdministration;
import dev.secureyeoman.auth.totp.Base32;
import dev.secureyeoman.auth.totp.RecoveryCodes;
import dev.secureyeoman.auth.totp.TotpParameters;
import dev.secureyeoman.auth.totp.TotpService;
import dev.secureyeoman.core.SecretBytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auth service reads every column by name, so a reordered {@code SELECT} (or a migration that adds a column in the
 * middle) cannot move a security check onto another column: (1) every flow runs on a JDBC driver whose result sets
 * refuse positional getters, (2) the user row maps identically from a SELECT with its columns reversed, (3) no source
 * of the module calls a positional getter.
 */
class ColumnsByNameTest {
  @TempDir Path dir;

  /** Positional ResultSet getters called through the guarded driver (must stay empty). */
  private final List<String> positional = Collections.synchronizedList(new ArrayList<>());

  @Test
  void everyFlow_onDriverRefusingPositionalGetters_works() throws Exception {
    TestClock clock = TestClock.at(Instant.parse("2026-11-24T10:00:00Z"));
    DataSource guarded = guard(AuthDataSources.sqlite(dir.resolve("auth.db")));
    AuthSettings settings =
        AuthSettings.builder()
            .hashParameters(AuthFixture.CHEAP)
            .revocationCheckInterval(Duration.ZERO)
            .loginRateLimit(100, Duration.ofMinutes(1))
            .mfaBruteForceProtection(Duration.ZERO, Duration.ZERO, 1000)
            .build();
    try (AuthService s =
        AuthService.builder()
            .dataSource(guarded)
            .auditSink(new MemoryAuditSink())
            .masterKey(SecretBytes.copyOf(new byte[32]))
            .settings(settings)
            .clock(clock)
            .random(new SecureRandom())
            .build()) {
      AuthFixture.createAdmin(s);
      AuthFixture.createBob(s);
      LoginResult.Authenticated bob = AuthFixture.login(s, "bob", AuthFixture.USER_PASSWORD, true);
      Principal p = s.authenticate(bob.tokens().accessToken());
      byte[] secret =
          Base32.decode(s.beginTotpEnrollment(p, AuthFixture.USER_PASSWORD.toCharArray()).manualEntryKey());
      RecoveryCodes codes = s.confirmTotpEnrollment(p, code(secret, clock));
      clock.advance(Duration.ofSeconds(30));

      // TOTP completion, then the same code replayed on a second challenge (the replay CAS reads totp_last_step)
      String c1 = challenge(s);
      String code = code(secret, clock);
      LoginResult.Authenticated viaTotp = s.completeMfa(c1, code, AuthFixture.CLIENT);
      assertThrows(InvalidCredentialsException.class, () -> s.completeMfa(challenge(s), code, AuthFixture.CLIENT));
      // a recovery code works once
      String rc = codes.codes().get(0);
      s.completeMfaWithRecoveryCode(challenge(s), rc, AuthFixture.CLIENT);
      assertThrows(
          InvalidCredentialsException.class,
          () -> s.completeMfaWithRecoveryCode(challenge(s), rc, AuthFixture.CLIENT));

      // refresh rotation and reuse detection
      AuthTokens next = s.refresh(viaTotp.tokens().refreshToken(), AuthFixture.CLIENT);
      assertThrows(InvalidTokenException.class, () -> s.refresh(viaTotp.tokens().refreshToken(), AuthFixture.CLIENT));
      assertThrows(InvalidTokenException.class, () -> s.refresh(next.refreshToken(), AuthFixture.CLIENT));

      // key rotation, administration, revocation
      s.rotateSigningKey(); // the admin's token below is signed with the new key
      Principal admin =
          s.authenticate(AuthFixture.login(s, "admin", AuthFixture.ADMIN_PASSWORD, false).tokens().accessToken());
      UserAdministration a = s.admin(admin);
      assertEquals(2, a.listUsers().size());
      assertTrue(a.findUser("bob").orElseThrow().totpEnabled());
      assertTrue(a.listSessions(Optional.of("bob"), true).size() >= 3);
      a.revokeSessions("bob");
      assertThrows(InvalidTokenException.class, () -> s.authenticate(bob.tokens().accessToken()));
      s.regenerateRecoveryCodes(s.authenticate(s.completeMfa(challenge(s), nextCode(secret, clock), AuthFixture.CLIENT)
          .tokens().accessToken()), nextCode(secret, clock));
      a.setRoles("bob", Set.of("user", "ops"));
      a.resetSecondFactor("bob");
      assertInstanceOf(LoginResult.Authenticated.class, s.login("bob", pw(), false, AuthFixture.CLIENT));
      a.disableUser("bob");
      assertThrows(InvalidCredentialsException.class, () -> s.login("bob", pw(), false, AuthFixture.CLIENT));
      s.logoutEverywhere(admin);
    }
    // a restart loads keys, revocations and the feed position through the same driver
    try (AuthService s =
        AuthService.builder()
            .dataSource(guarded)
            .auditSink(new MemoryAuditSink())
            .masterKey(SecretBytes.copyOf(new byte[32]))
            .settings(settings)
            .clock(clock)
            .random(new SecureRandom())
            .build()) {
      assertEquals(2, s.operator("ops").listUsers().size());
    }
    assertEquals(List.of(), positional);
  }

  @Test
  void userRow_selectedWithColumnsReversed_mapsToTheSameUser() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Principal p = s.authenticate(AuthFixture.login(s, "bob", AuthFixture.USER_PASSWORD, false).tokens()
          .accessToken());
      f.enrollTotp(s, p, AuthFixture.USER_PASSWORD);
    }
    List<String> cols = new ArrayList<>(Arrays.asList(UserRepository.COLUMNS.split(",\\s*")));
    String forward = "SELECT " + String.join(", ", cols) + " FROM users";
    Collections.reverse(cols);
    String reversed = "SELECT " + String.join(", ", cols) + " FROM users";
    try (Connection c = f.dataSource().getConnection()) {
      StoredUser a = AuthDatabase.one(c, forward, UserRepository::map).orElseThrow();
      StoredUser b = AuthDatabase.one(c, reversed, UserRepository::map).orElseThrow();
      assertTrue(a.totpEnabled());
      assertEquals(a.id(), b.id());
      assertEquals(a.passwordHash(), b.passwordHash());
      assertEquals(a.tokenVersion(), b.tokenVersion());
      assertEquals(a.totpParameters(), b.totpParameters());
      assertArrayEquals(a.totpSecret(), b.totpSecret());
      assertEquals(
          List.of(a.disabled(), a.mustChangePassword(), a.totpEnabled(), a.mfaLocked(), a.mfaFailures(), a.roles()),
          List.of(b.disabled(), b.mustChangePassword(), b.totpEnabled(), b.mfaLocked(), b.mfaFailures(), b.roles()));
    }
  }

  @Test
  void mainSources_callNoPositionalResultSetGetter() throws IOException {
    Path root = Path.of("src/main/java");
    Pattern positionalGetter = Pattern.compile("\\b(?:rs|resultSet)\\s*\\.\\s*get\\w*\\(\\s*\\d");
    List<String> hits = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      files.filter(x -> x.toString().endsWith(".java")).forEach(x -> {
        try {
          Matcher m = positionalGetter.matcher(Files.readString(x));
          while (m.find()) {
            hits.add(root.relativize(x) + ": " + m.group());
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    assertEquals(List.of(), hits);
  }

  private static char[] pw() {
    return AuthFixture.USER_PASSWORD.toCharArray();
  }

  private static String challenge(AuthService s) throws AuthException {
    LoginResult r = s.login("bob", pw(), false, AuthFixture.CLIENT);
    return assertInstanceOf(LoginResult.MfaRequired.class, r).challengeToken();
  }

  private static String code(byte[] secret, TestClock clock) {
    return TotpService.generate(secret, clock.instant(), TotpParameters.defaults());
  }

  /** The code of the next period (the current one may be used already). */
  private static String nextCode(byte[] secret, TestClock clock) {
    clock.advance(Duration.ofSeconds(30));
    return code(secret, clock);
  }

  // ------------------------------------------------------------------ a JDBC layer refusing positional getters

  private DataSource guard(DataSource real) {
    return proxy(DataSource.class, real);
  }

  @SuppressWarnings("unchecked")
  private <T> T proxy(Class<T> type, T real) {
    InvocationHandler h =
        (self, method, args) -> {
          if (type == ResultSet.class
              && method.getName().startsWith("get")
              && method.getParameterCount() >= 1
              && method.getParameterTypes()[0] == int.class) {
            positional.add(method.getName() + "(" + args[0] + ")");
            throw new AssertionError("positional ResultSet." + method.getName() + "(" + args[0] + ")");
          }
          Object r;
          try {
            r = method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          Class<?> rt = method.getReturnType();
          if (r instanceof Connection c && rt == Connection.class) {
            return proxy(Connection.class, c);
          }
          if (r instanceof ResultSet rs && rt == ResultSet.class) {
            return proxy(ResultSet.class, rs);
          }
          if (r instanceof Statement st && Statement.class.isAssignableFrom(rt) && rt.isInterface()) {
            return proxy((Class<Statement>) rt, st);
          }
          return r;
        };
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h);
  }
}
