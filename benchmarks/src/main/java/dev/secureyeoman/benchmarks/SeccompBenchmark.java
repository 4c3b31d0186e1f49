package dev.secureyeoman.benchmarks;

import dev.secureyeoman.sandbox.seccomp.bpf.BpfDecoder;
import dev.secureyeoman.sandbox.seccomp.bpf.BpfFormatException;
import dev.secureyeoman.sandbox.seccomp.bpf.BpfProgram;
import dev.secureyeoman.sandbox.seccomp.SeccompFilter;
import dev.secureyeoman.sandbox.seccomp.SeccompProfiles;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Questions: how long does compiling the default seccomp allow-list take (target under 1 ms, compared with decoding
 * the same program's bytes), and what does a thread-scoped filter add to starting {@code /bin/true} (target at most
 * 1.3x a plain spawn)? Filters are only ever applied on a fresh thread that dies right after, never on the JMH thread.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SeccompBenchmark -f 1 -wi 2 -i 3 -w 1 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SeccompBenchmark {
  private byte[] defaultProgramBytes;
  private SeccompFilter defaultFilter;

  /** Compiles the profile once for the decode and spawn benchmarks. */
  @Setup
  public void setup() {
    defaultFilter = SeccompProfiles.defaultAllowList();
    defaultProgramBytes = defaultFilter.toBpf();
  }

  /**
   * Baseline for compilation: decode and check the default profile's bytes.
   *
   * @return the program
   * @throws BpfFormatException never for these bytes
   */
  @Benchmark
  public BpfProgram decodeDefaultProfile() throws BpfFormatException {
    return BpfDecoder.decode(defaultProgramBytes);
  }

  /**
   * SDK: build and compile the default allow-list (both architectures).
   *
   * @return the filter
   */
  @Benchmark
  public SeccompFilter compileDefaultProfile() {
    return SeccompProfiles.defaultAllowList();
  }

  /**
   * Baseline: start {@code /bin/true} from a fresh thread and wait for it.
   *
   * @return the exit code
   * @throws Exception on failure
   */
  @Benchmark
  public int spawnTruePlain() throws Exception {
    return onFreshThread(SeccompBenchmark::spawnTrue);
  }

  /**
   * SDK: on a fresh thread, install the default allow-list, then start {@code /bin/true} and wait for it.
   *
   * @return the exit code
   * @throws Exception on failure
   */
  @Benchmark
  public int spawnTrueWithThreadFilter() throws Exception {
    return onFreshThread(() -> {
      defaultFilter.applyToCurrentThread();
      return spawnTrue();
    });
  }

  /**
   * Decomposition: a fresh thread that only installs the filter (no spawn).
   *
   * @return the seccomp mode read back
   * @throws Exception on failure
   */
  @Benchmark
  public int applyThreadFilterOnly() throws Exception {
    return onFreshThread(() -> defaultFilter.applyToCurrentThread().seccompMode());
  }

  private static int spawnTrue() throws Exception {
    return new ProcessBuilder("/bin/true").start().waitFor();
  }

  private static int onFreshThread(Callable<Integer> body) throws Exception {
    AtomicReference<Integer> result = new AtomicReference<>();
    AtomicReference<Exception> failure = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        result.set(body.call());
      } catch (Exception e) {
        failure.set(e);
      }
    });
    t.start();
    t.join();
    if (failure.get() != null) {
      throw failure.get();
    }
    return result.get();
  }
}
