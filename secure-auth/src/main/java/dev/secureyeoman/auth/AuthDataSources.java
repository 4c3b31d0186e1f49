package dev.secureyeoman.auth;

import dev.secureyeoman.core.OwnerOnlyFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** Factory for the default SQLite {@link DataSource} of the {@link AuthService}. */
public final class AuthDataSources {
  private AuthDataSources() {}

  /**
   * Opens (creating if needed, mode 0600 on POSIX) an SQLite database in WAL mode with {@code busy_timeout} 5 s,
   * {@code synchronous=FULL} and foreign keys on.
   *
   * @param file the database file
   * @return a data source that opens a new connection per call
   * @throws UncheckedIOException if the file cannot be created
   */
  public static DataSource sqlite(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (!Files.exists(file)) {
        try {
          OwnerOnlyFiles.createFile(file);
        } catch (FileAlreadyExistsException raced) {
          // another opener created it first
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create auth database " + file, e);
    }
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
    cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    cfg.setBusyTimeout(5000);
    cfg.enforceForeignKeys(true);
    SQLiteDataSource ds = new SQLiteDataSource(cfg);
    ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    return ds;
  }
}
