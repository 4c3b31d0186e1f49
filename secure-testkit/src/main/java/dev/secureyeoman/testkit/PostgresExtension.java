package dev.secureyeoman.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 access to PostgreSQL for tests that only need a database: one server per JVM, one database per test.
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class AuditStorePostgresTest {
 *   @Test
 *   void append_twoWriters_oneChain(PostgresDatabase db) throws Exception {
 *     try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) { ... }
 *   }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>A {@link PostgresDatabase} parameter gets a fresh database on the {@linkplain PostgresServer#shared() shared
 *       server}, dropped when the scope that asked for it ends (the test method; the class for a {@code @BeforeAll}
 *       or constructor parameter). Each parameter is a different database.
 *   <li>A {@link PostgresServer} parameter gets the shared server itself (it cannot be stopped or killed: a crash test
 *       starts its own with {@link PostgresServer#start()}).
 * </ul>
 *
 * The server starts once per JVM (the first test pays for it) and stops at JVM exit. Missing binaries fail the test
 * with {@link TestkitException.Reason#MISSING_BINARY}; they never skip it.
 */
public final class PostgresExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

  /** Creates the extension (JUnit does, through {@code @ExtendWith}). */
  public PostgresExtension() {}

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == PostgresServer.class || type == PostgresDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    PostgresServer server = PostgresServer.shared();
    if (parameter.getParameter().getType() == PostgresServer.class) {
      return server;
    }
    PostgresDatabase database = server.createDatabase();
    // JUnit closes AutoCloseable store values when the scope ends
    context.getStore(NAMESPACE).put(new Object(), database);
    return database;
  }
}
