package dev.secureyeoman.benchmarks;

import dev.secureyeoman.core.SecretBytes;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Question: what does the {@link SecretBytes} wrapper cost over a raw {@link MessageDigest#isEqual} on 32-byte keys?
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SecretBytesBenchmark -f 1 -wi 3 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SecretBytesBenchmark {
  private byte[] a;
  private byte[] b;
  private SecretBytes sa;
  private SecretBytes sb;

  /** Creates two equal 32-byte secrets. */
  @Setup
  public void setup() {
    a = new byte[32];
    b = new byte[32];
    for (int i = 0; i < 32; i++) {
      a[i] = (byte) i;
      b[i] = (byte) i;
    }
    sa = SecretBytes.copyOf(a);
    sb = SecretBytes.copyOf(b);
  }

  /**
   * Baseline: the JDK's constant-time comparison.
   *
   * @return the comparison result
   */
  @Benchmark
  public boolean rawMessageDigestIsEqual() {
    return MessageDigest.isEqual(a, b);
  }

  /**
   * SDK: {@link SecretBytes#constantTimeEquals(SecretBytes)}.
   *
   * @return the comparison result
   */
  @Benchmark
  public boolean secretBytesConstantTimeEquals() {
    return sa.constantTimeEquals(sb);
  }
}
