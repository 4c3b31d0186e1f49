package dev.secureyeoman.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.PostgresAuditStore;
import dev.secureyeoman.audit.internal.Json;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The PostgreSQL audit-append set-up of issue 18 shared by {@link PgAuditAppendBenchmark} and {@link
 * PgAuditAppendHarness}: on one database of a PostgreSQL server, {@code nodes} independent {@link PostgresAuditStore}
 * instances (each with its own HikariCP pool, as separate gateway processes would have) and {@code nodes} raw JDBC
 * connections to a plain table with the store's columns and the store's GIN full-text index.
 */
final class PgAuditRig implements AutoCloseable {
  static final int COMMIT_EVERY = 512;
  static final String RAW_INSERT =
      "INSERT INTO raw_log (seq, ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash, hash)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  final int nodes;
  private final List<HikariDataSource> pools = new ArrayList<>();
  private final List<AuditStore> stores = new ArrayList<>();
  private final List<Connection> raw = new ArrayList<>();
  private final ExecutorService threads;
  private final AuditEvent[][] shares;
  private final byte[][] hashes;
  private final AtomicLong rawSeq = new AtomicLong();

  /**
   * Opens the stores and raw connections on a fresh database of {@code server} and builds {@code burst} events.
   *
   * @param server a running server
   * @param database a new database name
   * @param nodes how many stores and raw writers
   * @param burst rows per burst, split evenly over the nodes
   * @throws Exception on failure
   */
  PgAuditRig(PostgresServer server, String database, int nodes, int burst) throws Exception {
    this.nodes = nodes;
    PostgresDatabase db = server.createDatabase(database);
    for (int n = 0; n < nodes; n++) {
      HikariDataSource pool = pool(db, database + "-node-" + n);
      pools.add(pool);
      stores.add(PostgresAuditStore.builder(pool).macKey(AuditBenchSupport.key()).maxBatchSize(COMMIT_EVERY).open());
      raw.add(DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password()));
    }
    try (Statement st = raw.get(0).createStatement()) {
      // the store's table and index (PostgresStore.open), without the chain
      st.execute(
          "CREATE TABLE raw_log (seq BIGINT PRIMARY KEY, ts BIGINT NOT NULL, level TEXT NOT NULL,"
              + " event TEXT NOT NULL, actor TEXT NOT NULL, message TEXT NOT NULL, metadata TEXT NOT NULL,"
              + " correlation_id TEXT, key_id INTEGER NOT NULL, prev_hash BYTEA NOT NULL, hash BYTEA NOT NULL)");
      st.execute(
          "CREATE INDEX raw_log_fts ON raw_log USING GIN (to_tsvector('simple', event || ' ' || actor || ' ' ||"
              + " message || ' ' || metadata))");
    }
    AuditEvent[] events = new AuditEvent[burst];
    for (int i = 0; i < burst; i++) {
      events[i] = AuditBenchSupport.event(i);
    }
    shares = new AuditEvent[nodes][];
    for (int n = 0; n < nodes; n++) {
      shares[n] = Arrays.copyOfRange(events, n * burst / nodes, (n + 1) * burst / nodes);
    }
    hashes = AuditAppendBenchmark.fakeHashes(burst);
    threads = Executors.newFixedThreadPool(nodes);
  }

  private static HikariDataSource pool(PostgresDatabase db, String name) {
    HikariConfig cfg = new HikariConfig();
    cfg.setPoolName(name);
    cfg.setJdbcUrl(db.jdbcUrl());
    cfg.setUsername(db.user());
    cfg.setPassword(db.password());
    cfg.setMaximumPoolSize(4);
    cfg.setMinimumIdle(1);
    return new HikariDataSource(cfg);
  }

  /** A task per node, all at once; returns when all are done. */
  private interface NodeTask {
    void run(int node) throws Exception;
  }

  private void onEveryNode(NodeTask task) throws Exception {
    List<Future<?>> done = new ArrayList<>(nodes);
    for (int n = 0; n < nodes; n++) {
      int node = n;
      done.add(
          threads.submit(
              () -> {
                task.run(node);
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
  }

  /**
   * SDK: every node appends its share with {@code appendAsync}, all nodes at once; returns when all are committed.
   *
   * @throws Exception on failure
   */
  void storeBurst() throws Exception {
    onEveryNode(n -> AuditBenchSupport.appendAll(stores.get(n), shares[n]));
  }

  /**
   * Baseline: every writer inserts its share of the same rows (metadata as JSON, key id, two 32-byte hashes) with a
   * batched {@code INSERT} ({@code executeBatch}) on its own connection, one transaction per {@value #COMMIT_EVERY}
   * rows, all writers at once; no lock, no head read, no MAC.
   *
   * @param serialized whether each transaction first takes one shared advisory lock (the serialisation that one chain
   *     needs, without the chain's work): isolates what serialising the nodes costs
   * @throws Exception on failure
   */
  void rawBurst(boolean serialized) throws Exception {
    onEveryNode(n -> rawInsert(raw.get(n), shares[n], serialized));
  }

  private void rawInsert(Connection c, AuditEvent[] events, boolean serialized) throws Exception {
    c.setAutoCommit(false);
    try (Statement st = c.createStatement();
        PreparedStatement ps = c.prepareStatement(RAW_INSERT)) {
      for (int start = 0; start < events.length; start += COMMIT_EVERY) {
        int end = Math.min(events.length, start + COMMIT_EVERY);
        if (serialized) {
          st.execute("SELECT pg_advisory_xact_lock(42)");
        }
        long seq = rawSeq.getAndAdd(end - start);
        for (int i = start; i < end; i++) {
          AuditEvent e = events[i];
          ps.setLong(1, ++seq);
          ps.setLong(2, System.currentTimeMillis());
          ps.setString(3, e.level().name());
          ps.setString(4, e.event());
          ps.setString(5, e.actor());
          ps.setString(6, e.message());
          ps.setString(7, Json.write(e.metadata()));
          ps.setString(8, e.correlationId().orElse(null));
          ps.setInt(9, 1);
          ps.setBytes(10, hashes[i]);
          ps.setBytes(11, hashes[i + 1]);
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
      }
    }
  }

  @Override
  public void close() throws Exception {
    threads.shutdownNow();
    for (AuditStore s : stores) {
      s.close();
    }
    for (HikariDataSource p : pools) {
      p.close();
    }
    for (Connection c : raw) {
      c.close();
    }
  }
}
