package dev.secureyeoman.audit.internal;

import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.audit.AuditStoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;

/**
 * A read-only {@link dev.secureyeoman.audit.AuditReader}: never creates, chmods or writes anything next to the database.
 *
 * <ul>
 *   <li>No {@code -wal} and no {@code -shm}: the file is complete and no writer has it open; SQLite opens it
 *       {@code mode=ro&immutable=1}, which takes no locks and creates no files.
 *   <li>Both exist: a writer (possibly in another process) has it open; SQLite opens it {@code mode=ro} and shares the
 *       writer's index, so the newest commits are seen. Nothing new is created.
 *   <li>Only one of them: a crashed writer left a journal without its index (for example a copied evidence set).
 *       SQLite would create the missing file, so the database and its journal are copied into a private temporary
 *       directory and read there; the originals are not touched. The copy is deleted on close.
 * </ul>
 */
public final class SqliteReader extends SqliteReaderBase {
  private final AuditStoreOptions opts;
  private final String url;
  private final @Nullable Path privateCopy;
  private final SqliteReads reads;
  private volatile boolean closed;

  private SqliteReader(AuditStoreOptions opts, MacKeys keys, String url, @Nullable Path privateCopy) {
    this.opts = opts;
    this.url = url;
    this.privateCopy = privateCopy;
    this.reads = new SqliteReads(opts, keys, this::connection, this::checkOpen);
  }

  /**
   * Opens a database for reading only.
   *
   * @param opts settings (the path, keys, checkpoints and full-text flag are used)
   * @param keys the MAC keys of {@code opts.keyring()}
   * @return the reader
   * @throws AuditException {@link Reason#NOT_FOUND} if there is no database, {@link Reason#UNSUPPORTED_SCHEMA} for a
   *     newer schema, or a storage failure
   */
  public static SqliteReader open(AuditStoreOptions opts, MacKeys keys) throws AuditException {
    Path db = opts.dbPath();
    if (!Files.isRegularFile(db)) {
      throw new AuditException(Reason.NOT_FOUND, "no audit database at " + db);
    }
    Path wal = db.resolveSibling(db.getFileName() + "-wal");
    Path shm = db.resolveSibling(db.getFileName() + "-shm");
    boolean hasWal = Files.exists(wal);
    boolean hasShm = Files.exists(shm);
    Path copy = null;
    String url;
    try {
      if (!hasWal && !hasShm) {
        url = "jdbc:sqlite:" + db.toAbsolutePath().toUri() + "?mode=ro&immutable=1";
      } else if (hasWal && hasShm) {
        url = "jdbc:sqlite:" + db.toAbsolutePath().toUri() + "?mode=ro";
      } else {
        copy = Files.createTempDirectory("audit-ro-", PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
        Path target = copy.resolve("audit.db");
        Files.copy(db, target, StandardCopyOption.COPY_ATTRIBUTES);
        if (hasWal) {
          Files.copy(wal, copy.resolve("audit.db-wal"), StandardCopyOption.COPY_ATTRIBUTES);
        }
        url = "jdbc:sqlite:" + target;
      }
      SqliteReader r = new SqliteReader(opts, keys, url, copy);
      try (Connection c = r.connection()) {
        int version = Schema.version(c);
        if (version > Schema.VERSION) {
          throw new AuditException(
              Reason.UNSUPPORTED_SCHEMA,
              "audit database schema version " + version + " is newer than supported version " + Schema.VERSION);
        }
      } catch (AuditException | SQLException | RuntimeException e) {
        r.close();
        throw e;
      }
      return r;
    } catch (IOException | SQLException e) {
      deleteQuietly(copy);
      throw new AuditException(Reason.STORAGE, "cannot open audit database " + db + " read-only: " + e.getMessage(), e);
    }
  }

  private Connection connection() throws SQLException {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, opts.busyTimeout().toMillis()));
    cfg.setReadOnly(privateCopy == null);
    Connection c = cfg.createConnection(url);
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA query_only = 1");
    } catch (SQLException e) {
      SqliteStore.closeQuietly(c);
      throw e;
    }
    return c;
  }

  private void checkOpen() {
    if (closed) {
      throw new SqliteReads.ClosedException("audit reader " + opts.dbPath() + " is closed");
    }
  }

  @Override
  SqliteReads reads() {
    return reads;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    deleteQuietly(privateCopy);
  }

  private static void deleteQuietly(@Nullable Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a leftover private temporary copy; nothing secret beyond what the database itself holds
    }
  }

  @Override
  public String toString() {
    return "SqliteAuditReader[" + opts.dbPath() + (closed ? ", closed" : "") + (privateCopy != null ? ", copy" : "")
        + "]";
  }
}
