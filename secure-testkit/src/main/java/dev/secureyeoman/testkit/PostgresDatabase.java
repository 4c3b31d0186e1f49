package dev.secureyeoman.testkit;

/**
 * A database created on a {@link PostgresServer} for one test (or one test class): the isolation unit when many tests
 * share a server. Closing it drops it, disconnecting any client still connected.
 *
 * <p>{@link #toString()} never shows the password.
 */
public final class PostgresDatabase implements AutoCloseable {
  private final PostgresServer server;
  private final String name;

  PostgresDatabase(PostgresServer server, String name) {
    this.server = server;
    this.name = name;
  }

  /**
   * The database name.
   *
   * @return its name
   */
  public String name() {
    return name;
  }

  /**
   * The JDBC URL, without credentials.
   *
   * @return {@code jdbc:postgresql://127.0.0.1:PORT/NAME}
   */
  public String jdbcUrl() {
    return server.jdbcUrl(name);
  }

  /**
   * The user to connect as (the cluster's superuser).
   *
   * @return the user
   */
  public String user() {
    return server.user();
  }

  /**
   * The password to connect with ("" under trust authentication).
   *
   * @return the password
   */
  public String password() {
    return server.password();
  }

  /**
   * The server holding this database.
   *
   * @return the server
   */
  public PostgresServer server() {
    return server;
  }

  /** Drops the database (forcing clients off) if its server still runs; otherwise nothing is left to drop. */
  @Override
  public void close() {
    if (server.isRunning()) {
      server.dropDatabase(name);
    }
  }

  @Override
  public String toString() {
    return "PostgresDatabase[" + name + " on " + server + "]";
  }
}
