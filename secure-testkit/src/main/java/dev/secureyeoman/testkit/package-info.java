/**
 * Test tooling shared by every SecureYeoman module's tests: real servers and processes instead of mocks.
 *
 * <ul>
 *   <li>{@link dev.secureyeoman.testkit.PostgresServer} and {@link dev.secureyeoman.testkit.RedisServer}: throwaway
 *       servers started from the Debian binaries on a free loopback port, with {@code stop()}, {@code kill()} (SIGKILL,
 *       for crash tests) and {@code restart()} on the same port and data; {@link
 *       dev.secureyeoman.testkit.PostgresExtension} and {@link dev.secureyeoman.testkit.RedisExtension} hand them to
 *       JUnit 5 tests.
 *   <li>{@link dev.secureyeoman.testkit.TestClock}: a settable, thread-safe {@link java.time.Clock}; tests advance it
 *       instead of sleeping.
 *   <li>{@link dev.secureyeoman.testkit.ChildJvm}: a main class in a child JVM with the test class path, its output
 *       captured, waited for with a timeout, SIGKILLed on demand — for two-process and crash tests.
 *   <li>{@link dev.secureyeoman.testkit.CapturedLogs}: an SLF4J provider (opt-in through a module's test resources)
 *       that keeps every log line, for tests of what is logged and what never is.
 * </ul>
 *
 * <h2>Guarantees</h2>
 *
 * Nothing outlives the test JVM: servers and child JVMs are killed by the kernel when it dies (parent-death signal),
 * closed at its normal exit, and the directories of a JVM that was killed are deleted by the next one. A missing Debian
 * package is a {@link dev.secureyeoman.testkit.TestkitException} naming it, never a silently skipped test.
 *
 * <h2>Non-goals</h2>
 *
 * Not for production data: the servers run with test-only settings (no fsync, trust authentication by default). Linux
 * only (the servers' life cycle relies on {@code /proc}, {@code setpriv} and {@code kill}).
 */
@NullMarked
package dev.secureyeoman.testkit;

import org.jspecify.annotations.NullMarked;
