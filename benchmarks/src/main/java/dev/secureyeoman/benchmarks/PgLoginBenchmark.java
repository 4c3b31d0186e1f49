package dev.secureyeoman.benchmarks;

import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.auth.AuthDataSources;
import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthSettings;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.PasswordHashParameters;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
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
 * Question (issue 18): does login throughput on PostgreSQL scale from 1 to 3 nodes with the Argon2 CPU, or does
 * coordination in the database limit it? {@code nodes} independent {@link AuthService} instances (each with its own
 * HikariCP pool, as three gateway processes would have) share one PostgreSQL database; each invocation runs {@value
 * #TOTAL} logins in total, split evenly over the nodes, all nodes at once (one thread per node, one user per node). The baseline runs the same number
 * of raw Bouncy Castle Argon2id hashes (default parameters: m=19 MiB, t=2, p=1) on the same number of threads: the
 * ratio of the two scaling factors says what coordination costs. The machine has 2 cores, so neither side can scale
 * past 2× at 3 nodes.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar PgLoginBenchmark -f 1 -wi 2 -i 3 -w 2 -r 2}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PgLoginBenchmark {
  static final int TOTAL = 12;
  private static final char[] PASSWORD = "benchmark password that is long enough".toCharArray();

  @Param({"1", "3"})
  public int nodes;

  private PostgresServer server;
  private final List<AuthDataSources.Pooled> pools = new ArrayList<>();
  private final List<AuthService> services = new ArrayList<>();
  private ExecutorService threads;
  private ClientInfo client;
  private byte[] passwordBytes;

  /**
   * Starts PostgreSQL and opens the services, one user each.
   *
   * @throws Exception on failure
   */
  @Setup(Level.Trial)
  public void setup() throws Exception {
    server = PostgresServer.start();
    PostgresDatabase db = server.createDatabase("auth");
    AuditSink discard = e -> {};
    for (int n = 0; n < nodes; n++) {
      AuthDataSources.Pooled pool =
          AuthDataSources.postgres(db.jdbcUrl(), db.user(), db.password().toCharArray(), 4, Duration.ofSeconds(5));
      pools.add(pool);
      AuthService s =
          AuthService.builder()
              .dataSource(pool)
              .auditSink(discard)
              .masterKey(SecretBytes.copyOf(new byte[32]))
              .settings(AuthSettings.builder().hashParameters(PasswordHashParameters.defaults()).build())
              .build();
      services.add(s);
      s.createUser("bench-" + n, PASSWORD, Set.of());
    }
    threads = Executors.newFixedThreadPool(nodes);
    client = ClientInfo.of("127.0.0.1");
    passwordBytes = new String(PASSWORD).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Closes the services and pools and stops PostgreSQL.
   *
   * @throws Exception on failure
   */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    threads.shutdownNow();
    for (AuthService s : services) {
      s.close();
    }
    for (AuthDataSources.Pooled p : pools) {
      p.close();
    }
    server.close();
  }

  /**
   * SDK: {@value #TOTAL} full logins, split over the nodes, all at once.
   *
   * @throws Exception on failure
   */
  @Benchmark
  @OperationsPerInvocation(TOTAL)
  public void login() throws Exception {
    List<Future<?>> done = new ArrayList<>(nodes);
    for (int n = 0; n < nodes; n++) {
      AuthService s = services.get(n);
      String user = "bench-" + n;
      done.add(
          threads.submit(
              () -> {
                for (int i = 0; i < TOTAL / nodes; i++) {
                  s.login(user, PASSWORD, false, client);
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
  }

  /**
   * Baseline: {@value #TOTAL} raw Argon2id hashes with the same parameters, split over as many threads.
   *
   * @throws Exception on failure
   */
  @Benchmark
  @OperationsPerInvocation(TOTAL)
  public void rawArgon2id() throws Exception {
    List<Future<?>> done = new ArrayList<>(nodes);
    for (int n = 0; n < nodes; n++) {
      done.add(
          threads.submit(
              () -> {
                for (int i = 0; i < TOTAL / nodes; i++) {
                  argon2();
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
  }

  private byte[] argon2() {
    PasswordHashParameters p = PasswordHashParameters.defaults();
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(p.memoryKiB())
            .withIterations(p.iterations())
            .withParallelism(p.parallelism())
            .withSalt(new byte[16])
            .build());
    byte[] out = new byte[p.hashLength()];
    g.generateBytes(passwordBytes, out);
    return out;
  }
}
