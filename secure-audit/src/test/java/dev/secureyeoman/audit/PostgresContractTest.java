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

  /**
   * The group commit streams its rows with one COPY: a row the server rejects fails the whole group with a typed
   * STORAGE error and leaves no row of it behind (the transaction is rolled back); later groups chain on normally.
   */
  @org.junit.jupiter.api.Test
  void rejectedRowInAGroup_failsTheWholeGroupTyped_nothingHalfWritten_chainContinues() throws Exception {
    try (AuditStore s = open()) {
      s.append(event("a", 0));
      attack("ALTER TABLE audit_log ADD CONSTRAINT poison CHECK (actor <> 'poison')");
      java.util.List<java.util.concurrent.CompletableFuture<AuditEntry>> fs = new java.util.ArrayList<>();
      for (int i = 1; i <= 20; i++) {
        fs.add(s.appendAsync(event(i == 10 ? "poison" : "a\tb\\c\n" + i, i)));
      }
      int ok = 0;
      for (int i = 0; i < fs.size(); i++) {
        try {
          fs.get(i).get();
          ok++;
        } catch (java.util.concurrent.ExecutionException e) {
          AuditException ae = org.junit.jupiter.api.Assertions.assertInstanceOf(AuditException.class, e.getCause());
          org.junit.jupiter.api.Assertions.assertEquals(AuditException.Reason.STORAGE, ae.reason());
        }
      }
      org.junit.jupiter.api.Assertions.assertTrue(fs.get(9).isCompletedExceptionally(), "the poisoned row failed");
      org.junit.jupiter.api.Assertions.assertEquals(1 + ok, rows(), "only the successful groups' rows are stored");
      AuditEntry next = s.append(event("a", 99));
      org.junit.jupiter.api.Assertions.assertEquals(2 + ok, next.seq(), "the chain continues densely");
      VerificationResult r = s.verify(VerifyOptions.defaults().withoutCheckpoints());
      org.junit.jupiter.api.Assertions.assertTrue(r.valid(), r::summary);
    }
  }
}
