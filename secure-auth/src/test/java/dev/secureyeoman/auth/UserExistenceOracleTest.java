package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The work a failed login does must not depend on whether the user exists: the same number of password hash
 * verifications, SQL statements and synchronous audit writes for an unknown name as for a known name with a wrong
 * password, on every attempt (not only the first). Counted, not timed.
 */
class UserExistenceOracleTest {
  static final int ATTEMPTS = 6;
  @TempDir Path dir;

  /** Counts the statements the service prepares or creates on its connections. */
  static DataSource counting(DataSource real, AtomicInteger statements) {
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, m, args) -> {
              Object r = invoke(real, m, args);
              if (r instanceof Connection c) {
                InvocationHandler h =
                    (p2, m2, a2) -> {
                      if (m2.getName().equals("prepareStatement") || m2.getName().equals("createStatement")) {
                        statements.incrementAndGet();
                      }
                      return invoke(c, m2, a2);
                    };
                return Proxy.newProxyInstance(
                    Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
              }
              return r;
            });
  }

  private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private record Work(int verifications, int statements, int auditWrites) {}

  private static Work failedLogin(
      AuthService s, AuthFixture f, LoginRaceTest.HookedHasher hasher, AtomicInteger statements, String user)
      throws Exception {
    int v0 = hasher.verifications.get();
    int s0 = statements.get();
    int a0 = f.audit.events().size();
    assertThrows(
        InvalidCredentialsException.class,
        () -> s.login(user, "a wrong password that is long enough!!".toCharArray(), false, CLIENT));
    return new Work(hasher.verifications.get() - v0, statements.get() - s0, f.audit.events().size() - a0);
  }

  @Test
  void unknownUser_andWrongPassword_sameWork_onEveryAttempt() throws Exception {
    AuthFixture f =
        new AuthFixture(
            dir,
            AuthSettings.builder().hashParameters(AuthFixture.CHEAP).loginRateLimit(100, Duration.ofMinutes(1)).build());
    LoginRaceTest.HookedHasher hasher = new LoginRaceTest.HookedHasher();
    f.passwordHasher = hasher;
    AtomicInteger statements = new AtomicInteger();
    try (AuthService s =
        AuthService.builder()
            .dataSource(counting(f.dataSource(), statements))
            .auditSink(f.audit)
            .masterKey(dev.secureyeoman.core.SecretBytes.copyOf(f.masterKey))
            .settings(f.settings)
            .clock(f.clock)
            .passwordHasher(hasher)
            .build()) {
      AuthFixture.createBob(s);
      for (int i = 0; i < ATTEMPTS; i++) {
        Work unknown = failedLogin(s, f, hasher, statements, "mallory" + (i % 2));
        Work known = failedLogin(s, f, hasher, statements, "bob");
        // before the fix the unknown name's audit write was aggregated after its first attempt: 0 writes vs 1
        assertEquals(known, unknown, "attempt " + i);
        assertEquals(1, known.verifications());
        assertEquals(1, known.auditWrites());
      }
    }
  }
}
