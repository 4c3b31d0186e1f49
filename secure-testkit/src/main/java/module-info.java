/**
 * SecureYeoman testkit: test tooling shared by every module's tests, in the spirit of OkHttp's MockWebServer — real
 * servers on loopback rather than mocks.
 *
 * <p>Throwaway PostgreSQL and Redis servers started from the Debian binaries ({@link
 * dev.secureyeoman.testkit.PostgresServer}, {@link dev.secureyeoman.testkit.RedisServer}) with JUnit 5 extensions, a
 * settable {@link java.time.Clock} ({@link dev.secureyeoman.testkit.TestClock}), and child JVMs for multi-process tests
 * ({@link dev.secureyeoman.testkit.ChildJvm}), and an SLF4J provider that keeps every log line for assertions ({@link
 * dev.secureyeoman.testkit.CapturedLogs}). Depend on it with {@code <scope>test</scope>}: it is never meant to ship.
 */
module dev.secureyeoman.testkit {
  requires transitive org.jspecify; // @NullMarked/@Nullable appear in the API
  requires transitive org.junit.jupiter.api;
  // only CapturedLogs needs it, and only a module whose tests log through SLF4J uses that
  requires static transitive org.slf4j;

  exports dev.secureyeoman.testkit;
}
