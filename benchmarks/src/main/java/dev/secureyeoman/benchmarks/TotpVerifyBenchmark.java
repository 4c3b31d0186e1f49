package dev.secureyeoman.benchmarks;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import dev.samstevens.totp.code.CodeVerifier;
import dev.samstevens.totp.code.DefaultCodeGenerator;
import dev.samstevens.totp.code.DefaultCodeVerifier;
import dev.samstevens.totp.code.HashingAlgorithm;
import dev.secureyeoman.auth.totp.Base32;
import dev.secureyeoman.auth.totp.TotpParameters;
import dev.secureyeoman.auth.totp.TotpService;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Question: is {@link TotpService#verifyAt} with window ±1 (SHA1, 6 digits, 30 s) at least as fast as the same check done
 * with com.eatthepath:java-otp 0.4.0 and dev.samstevens.totp 1.7.1? The submitted code is the one of step +1, so every
 * implementation computes all three candidates.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar TotpVerifyBenchmark -f 1 -wi 2 -i 3 -w 1 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TotpVerifyBenchmark {
  private static final long NOW = 1_111_111_111L;
  private byte[] secret;
  private String secretBase32;
  private String code;
  private int codeInt;
  private Instant now;
  private TotpParameters params;
  private TimeBasedOneTimePasswordGenerator javaOtp;
  private SecretKeySpec javaOtpKey;
  private CodeVerifier samstevens;

  /** Builds the three verifiers over the same secret and time. */
  @Setup
  public void setup() {
    secret = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
    secretBase32 = Base32.encode(secret);
    now = Instant.ofEpochSecond(NOW);
    params = TotpParameters.defaults();
    code = TotpService.generate(secret, now.plusSeconds(30), params);
    codeInt = Integer.parseInt(code);
    javaOtp = new TimeBasedOneTimePasswordGenerator(Duration.ofSeconds(30), 6);
    javaOtpKey = new SecretKeySpec(secret, "HmacSHA1");
    DefaultCodeVerifier v = new DefaultCodeVerifier(new DefaultCodeGenerator(HashingAlgorithm.SHA1, 6), () -> NOW);
    v.setTimePeriod(30);
    v.setAllowedTimePeriodDiscrepancy(1);
    samstevens = v;
    if (!secureYeoman() || !javaOtp() || !samstevens()) {
      throw new IllegalStateException("a verifier rejected the valid code");
    }
  }

  /**
   * SDK: constant-time check of steps -1, 0, +1.
   *
   * @return whether the code matched
   */
  @Benchmark
  public boolean secureYeoman() {
    return TotpService.verifyAt(secret, code, params, 1, now).isPresent();
  }

  /**
   * java-otp: generate the three codes and compare (no early exit).
   *
   * @return whether the code matched
   */
  @Benchmark
  public boolean javaOtp() {
    try {
      boolean ok = false;
      for (int i = -1; i <= 1; i++) {
        ok |= javaOtp.generateOneTimePassword(javaOtpKey, now.plusSeconds(30L * i)) == codeInt;
      }
      return ok;
    } catch (InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * samstevens: its verifier with a discrepancy of 1 (takes the Base32 secret, as its API requires).
   *
   * @return whether the code matched
   */
  @Benchmark
  public boolean samstevens() {
    return samstevens.isValidCode(secretBase32, code);
  }
}
