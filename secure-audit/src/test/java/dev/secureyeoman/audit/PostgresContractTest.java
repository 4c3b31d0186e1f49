package dev.secureyeoman.audit;

import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link AuditStoreContract} on PostgreSQL: a fresh database per test; every store instance is another "node". */
@ExtendWith(PostgresExtension.class)
@EnabledIf(value = "dev.secureyeoman.audit.PostgresAuditStoreTest#available", disabledReason = PostgresAuditStoreTest.MISSING)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresContractTest extends AuditStoreContract {
  private DataSource ds;
  @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir;

  @BeforeEach
  void database(PostgresDatabase db) {
    ds = PostgresAuditStoreTest.dataSource(db);
  }

  @Override
  AuditStore open() throws Exception {
    return PostgresAuditStoreTest.open(ds);
  }

  @Override
  void attack(String... sql) throws Exception {
    PostgresAuditStoreTest.sql(ds, sql);
  }

  @Override
  AuditStore open(java.time.Clock clock) throws Exception {
    return PostgresAuditStore.builder(ds).macKey(TestSupport.key(1)).clock(clock).open();
  }

  @Override
  long rows() throws Exception {
    return PostgresAuditStoreTest.count(ds);
  }

  @Override
  AuditStore openCheckpointed(CheckpointSink sink) throws Exception {
    return PostgresAuditStore.builder(ds).macKey(TestSupport.key(1)).checkpoints(sink, CP_KEYS).open();
  }

  @Override
  java.nio.file.Path checkpointFile() {
    return dir.resolve("audit.cp");
  }
}
