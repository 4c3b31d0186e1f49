package dev.secureyeoman.audit;

import dev.secureyeoman.audit.internal.SqliteStore;

/** Opens the SQLite {@link AuditStore}. */
public final class SqliteAuditStore {
  private SqliteAuditStore() {}

  /**
   * Opens (creating if absent) an audit database.
   *
   * <p>The file and its {@code -wal}/{@code -shm} companions are created with mode 0600; the journal is WAL with
   * {@code synchronous=FULL}, so an append that returned survives a process crash and a power loss.
   *
   * @param options the settings
   * @return the open store; close it when done
   * @throws AuditException if the database cannot be opened or has an unsupported schema version
   */
  public static AuditStore open(AuditStoreOptions options) throws AuditException {
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    return SqliteStore.open(options);
  }
}
