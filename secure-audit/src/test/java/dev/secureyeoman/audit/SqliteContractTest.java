package dev.secureyeoman.audit;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link AuditStoreContract} on SQLite: every store instance opens the same file. */
class SqliteContractTest extends AuditStoreContract {
  @TempDir Path dir;

  private Path db() {
    return dir.resolve("db/audit.db");
  }

  @Override
  AuditStore open() throws Exception {
    return TestSupport.open(db());
  }

  @Override
  void attack(String... sql) throws Exception {
    TestSupport.exec(db(), sql);
  }

  @Override
  AuditStore open(java.time.Clock clock) throws Exception {
    return SqliteAuditStore.open(TestSupport.options(db()).clock(clock).build());
  }

  @Override
  long rows() throws Exception {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db());
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM audit_log")) {
      return rs.getLong(1);
    }
  }

  @Override
  AuditStore openCheckpointed(CheckpointSink sink) throws Exception {
    return SqliteAuditStore.open(TestSupport.options(db()).checkpoints(sink, CP_KEYS).build());
  }

  @Override
  Path checkpointFile() {
    return dir.resolve("checkpoints/audit.cp");
  }
}
