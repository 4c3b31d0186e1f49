package dev.secureyeoman.benchmarks;

import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.auth.AuthDataSources;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthSettings;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.LoginResult;
import dev.secureyeoman.auth.PasswordHashParameters;
import dev.secureyeoman.core.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Question: what does a full {@link AuthService#login} (throttle, user lookup, Argon2id m=19 MiB t=2 p=1 verify, session
 * and refresh-token insert with a durable SQLite commit, JWT signing) cost over the raw Bouncy Castle Argon2id call it
 * is built around?
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar LoginBenchmark -f 1 -wi 2 -i 3 -w 1 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LoginBenchmark {
  private static final char[] PASSWORD = "benchmark password that is long enough".toCharArray();
  private Path dir;
  private AuthService service;
  private AuthService cheap;
  private ClientInfo client;
  private byte[] salt;
  private byte[] passwordBytes;

  /**
   * Creates the service at default Argon2id cost and one user.
   *
   * @throws Exception if setup fails
   */
  @Setup(Level.Trial)
  public void setup() throws Exception {
    dir = Files.createTempDirectory("login-bench");
    AuditSink discard = e -> {};
    service =
        AuthService.builder()
            .dataSource(AuthDataSources.sqlite(dir.resolve("auth.db")))
            .auditSink(discard)
            .masterKey(SecretBytes.copyOf(new byte[32]))
            .settings(AuthSettings.builder().hashParameters(PasswordHashParameters.defaults()).build())
            .build();
    service.createUser("bench", PASSWORD, Set.of());
    cheap =
        AuthService.builder()
            .dataSource(AuthDataSources.sqlite(dir.resolve("cheap.db")))
            .auditSink(discard)
            .masterKey(SecretBytes.copyOf(new byte[32]))
            .settings(AuthSettings.builder().hashParameters(new PasswordHashParameters(8, 1, 1, 16, 32)).build())
            .build();
    cheap.createUser("bench", PASSWORD, Set.of());
    client = ClientInfo.of("127.0.0.1");
    salt = new byte[16];
    passwordBytes = new String(PASSWORD).getBytes(StandardCharsets.UTF_8);
  }

  /** Closes the service and deletes the database. */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    service.close();
    cheap.close();
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * SDK login.
   *
   * @return the result
   * @throws AuthException never for the prepared user
   */
  @Benchmark
  public LoginResult login() throws AuthException {
    return service.login("bench", PASSWORD, false, client);
  }

  /**
   * The same login with Argon2id at its minimum cost (m=8 KiB, t=1): what the SDK adds around the hash (throttle,
   * lookups, durable commit of session and refresh token, JWT), in absolute terms.
   *
   * @return the result
   * @throws AuthException never for the prepared user
   */
  @Benchmark
  public LoginResult loginOverheadOnly() throws AuthException {
    return cheap.login("bench", PASSWORD, false, client);
  }

  /**
   * Raw Bouncy Castle Argon2id with the same parameters.
   *
   * @return the tag
   */
  @Benchmark
  public byte[] rawArgon2id() {
    PasswordHashParameters p = PasswordHashParameters.defaults();
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(p.memoryKiB())
            .withIterations(p.iterations())
            .withParallelism(p.parallelism())
            .withSalt(salt)
            .build());
    byte[] out = new byte[p.hashLength()];
    g.generateBytes(passwordBytes, out);
    return out;
  }
}
