package dev.secureyeoman.audit;

import dev.secureyeoman.audit.internal.SqliteReader;
import dev.secureyeoman.audit.internal.SqliteStore;

/** Opens the SQLite {@link AuditStore}, or a read-only {@link AuditReader} on the same kind of file. */
public final class SqliteAuditStore {
  private SqliteAuditStore() {}

  /**
   * Opens (creating if absent) an audit database for appending.
   *
   * <p>The file and its {@code -wal}/{@code -shm} companions are created with mode 0600; the journal is WAL with
   * {@code synchronous=FULL}, so an append that returned survives a process crash and a power loss. A schema version 1
   * database is migrated to version 2 ({@code STRICT} tables, a log id) in one transaction. Other processes may append
   * to the same file at the same time.
   *
   * @param options the settings
   * @return the open store; close it when done
   * @throws AuditException if the database cannot be opened or has an unsupported schema version
   */
  public static AuditStore open(AuditStoreOptions options) throws AuditException {
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    return SqliteStore.open(options, options.keyring().macKeys());
  }

  /**
   * Opens an existing audit database for reading only — for {@code verify}, {@code search} and {@code export} on a live
   * log or an evidence copy. Nothing is created or modified: no directory, no file mode change, no {@code -wal} or
   * {@code -shm} file, no migration, no key-rotation entry (a verify with another key epoch reports the entries it
   * cannot check instead of appending). Only the path, keys, checkpoint sink and full-text flag of {@code options} are
   * used.
   *
   * @param options the settings
   * @return the reader; close it when done
   * @throws AuditException {@link AuditException.Reason#NOT_FOUND} if no database exists, or if it cannot be read
   */
  public static AuditReader openReadOnly(AuditStoreOptions options) throws AuditException {
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    return SqliteReader.open(options, options.keyring().macKeys());
  }
}
