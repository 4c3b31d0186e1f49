package dev.secureyeoman.benchmarks;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.auth.AuthDataSources;
import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthSettings;
import dev.secureyeoman.auth.AuthStorageException;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.InvalidTokenException;
import dev.secureyeoman.auth.LoginResult;
import dev.secureyeoman.auth.PasswordHashParameters;
import dev.secureyeoman.auth.Principal;
import dev.secureyeoman.core.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Question: what does {@link AuthService#authenticate} (strict compact form, HS256 allowlist, kid, typ, issuer, expiry,
 * session revocation and token-version checks, and the poll of the revocation feed other instances write) cost over a
 * raw nimbus-jose-jwt parse + HMAC verify + expiry check of the same token?
 *
 * <p>{@code revocationCheckInterval} is the bound for other instances' revocations: {@code PT1S} (the default) polls the
 * feed at most once a second, {@code PT0S} reads the database on every call. The clock is the real one, so the poll cost
 * is included exactly as often as it happens in production.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar JwtAuthenticateBenchmark -f 2 -wi 5 -i 5 -w 2 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JwtAuthenticateBenchmark {
  /** The revocation bound between instances (ISO-8601 duration). */
  @Param({"PT1S", "PT0S"})
  public String revocationCheckInterval;

  private Path dir;
  private AuthService service;
  private String token;
  private MACVerifier verifier;

  /**
   * Creates a user, logs in once and prepares the raw verifier with the same key.
   *
   * @throws Exception if setup fails
   */
  @Setup(Level.Trial)
  public void setup() throws Exception {
    dir = Files.createTempDirectory("jwt-bench");
    byte[] master = new byte[32];
    AuditSink discard = e -> {};
    service =
        AuthService.builder()
            .dataSource(AuthDataSources.sqlite(dir.resolve("auth.db")))
            .auditSink(discard)
            .masterKey(SecretBytes.copyOf(master))
            .clock(Clock.systemUTC())
            .settings(
                AuthSettings.builder()
                    .hashParameters(new PasswordHashParameters(64, 1, 1, 16, 32))
                    .revocationCheckInterval(Duration.parse(revocationCheckInterval))
                    .build())
            .build();
    char[] pw = "benchmark password that is long enough".toCharArray();
    service.createUser("bench", pw, Set.of());
    token =
        ((LoginResult.Authenticated) service.login("bench", pw, false, ClientInfo.of("127.0.0.1")))
            .tokens()
            .accessToken();
    String kid = SignedJWT.parse(token).getHeader().getKeyID();
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(master, "HmacSHA256"));
    verifier = new MACVerifier(mac.doFinal(("secureyeoman/auth/jwt-hs256/" + kid).getBytes(StandardCharsets.UTF_8)));
    if (!raw() || sdk() == null) {
      throw new IllegalStateException("token did not verify");
    }
  }

  /** Closes the service and deletes the database. */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    service.close();
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * SDK path.
   *
   * @return the principal
   * @throws InvalidTokenException never for the prepared token
   * @throws AuthStorageException never (SQLite in a temp dir)
   */
  @Benchmark
  public Principal sdk() throws InvalidTokenException, AuthStorageException {
    return service.authenticate(token);
  }

  /**
   * Raw nimbus: parse, HMAC verify, expiry.
   *
   * @return whether the token is valid
   * @throws ParseException never
   * @throws JOSEException never
   */
  @Benchmark
  public boolean raw() throws ParseException, JOSEException {
    SignedJWT j = SignedJWT.parse(token);
    return j.verify(verifier) && j.getJWTClaimsSet().getExpirationTime().after(new Date());
  }

}
