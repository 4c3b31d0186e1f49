package dev.secureyeoman.benchmarks;

import dev.secureyeoman.audit.PostgresAuditStore;
import dev.secureyeoman.testkit.PostgresServer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Question (issue 18): what does the PostgreSQL audit chain (one chain across nodes: advisory lock, head read, HMAC,
 * group commit per node) cost over a raw batched {@code INSERT} of the same rows into a plain table with the same
 * columns and the same GIN full-text index, in the same database? {@code nodes} is 1 or 3: three independent {@link
 * PostgresAuditStore} instances, each with its own HikariCP pool, appending concurrently to the one chain; the
 * baseline: as many writers with their own connections inserting concurrently ({@code rawBatchedInsert}), or taking
 * one shared advisory lock per transaction first ({@code rawBatchedInsertSerialized}: the serialisation one chain
 * needs, without the chain's work). See {@link PgAuditRig}.
 *
 * <p>One invocation writes {@value #BURST} rows in total, split evenly over the nodes, committed at most {@value
 * PgAuditRig#COMMIT_EVERY} rows per transaction with {@code synchronous_commit=on}. The server is the testkit's
 * (PostgreSQL 15 from the Debian binaries, started for this trial; data directory on {@code /dev/shm}, {@code
 * fsync=off}): the figures measure CPU and round trips, not a disk, on both sides alike. Under load prefer the
 * interleaved {@link PgAuditAppendHarness}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar PgAuditAppendBenchmark -f 1 -wi 2 -i 3 -w 2 -r 2}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PgAuditAppendBenchmark {
  static final int BURST = 3000;

  @Param({"1", "3"})
  public int nodes;

  private PostgresServer server;
  private PgAuditRig rig;

  /**
   * Starts PostgreSQL, opens the stores and the raw connections.
   *
   * @throws Exception on failure
   */
  @Setup(Level.Trial)
  public void setup() throws Exception {
    server = PostgresServer.start();
    rig = new PgAuditRig(server, "bench", nodes, BURST);
  }

  /**
   * Closes everything and stops PostgreSQL.
   *
   * @throws Exception on failure
   */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    rig.close();
    server.close();
  }

  /**
   * SDK: each node appends its share with {@code appendAsync}, all nodes at once.
   *
   * @throws Exception on failure
   */
  @Benchmark
  @OperationsPerInvocation(BURST)
  public void auditStoreAppend() throws Exception {
    rig.storeBurst();
  }

  /**
   * Baseline: batched inserts of the same rows, all writers at once, no coordination.
   *
   * @throws Exception on failure
   */
  @Benchmark
  @OperationsPerInvocation(BURST)
  public void rawBatchedInsert() throws Exception {
    rig.rawBurst(false);
  }

  /**
   * Baseline with the serialisation of one chain: each transaction takes one shared advisory lock first.
   *
   * @throws Exception on failure
   */
  @Benchmark
  @OperationsPerInvocation(BURST)
  public void rawBatchedInsertSerialized() throws Exception {
    rig.rawBurst(true);
  }
}
