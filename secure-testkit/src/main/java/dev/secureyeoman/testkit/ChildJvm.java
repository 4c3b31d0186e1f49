package dev.secureyeoman.testkit;

import dev.secureyeoman.testkit.TestkitException.Reason;
import dev.secureyeoman.testkit.internal.Cleanup;
import dev.secureyeoman.testkit.internal.Options;
import dev.secureyeoman.testkit.internal.OutputBuffer;
import dev.secureyeoman.testkit.internal.ProcessTrees;
import dev.secureyeoman.testkit.internal.Spawner;
import dev.secureyeoman.testkit.internal.Text;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A {@code main} class running in a child JVM, for tests that need a second process: two nodes sharing a database, a
 * writer SIGKILLed mid-operation, a revocation that must be seen by another process.
 *
 * <pre>{@code
 * try (ChildJvm node = ChildJvm.builder(GatewayMain.class).args("--port", "0").start()) {
 *   MatchResult ready = node.awaitStdout(Pattern.compile("listening on (\\d+)"), Duration.ofSeconds(30));
 *   int port = Integer.parseInt(ready.group(1));
 *   ...
 *   ChildJvm.Result crashed = node.kill();   // SIGKILL: exit code 137
 * }
 * }</pre>
 *
 * <p>The child runs the same {@code java} as the test, with the test's class path (the {@code java.class.path} of
 * this JVM: under Surefire a manifest-only jar listing the test and main classes and every dependency), plus {@code
 * --enable-native-access=ALL-UNNAMED} on JDK 22 and later (JNA users such as the sandbox need it there). Its stdout and
 * stderr are captured (up to 4 MiB each); its stdin is empty. It inherits the environment, to which {@link
 * Builder#env} adds.
 *
 * <p>The child cannot outlive the test JVM: it is killed by the kernel if the test JVM dies (parent-death signal), by
 * {@link #close()}, or at JVM exit. {@link #kill()} SIGKILLs it together with every process it started.
 */
public final class ChildJvm implements AutoCloseable {
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

  private final String mainClass;
  private final Process process;
  private final OutputBuffer stdout;
  private final OutputBuffer stderr;
  private final AutoCloseable atExit = this::close;

  private ChildJvm(String mainClass, Process process) {
    this.mainClass = mainClass;
    this.process = process;
    this.stdout = OutputBuffer.capture(process.getInputStream(), "secure-testkit-child-" + process.pid() + "-out");
    this.stderr = OutputBuffer.capture(process.getErrorStream(), "secure-testkit-child-" + process.pid() + "-err");
  }

  /**
   * A builder for a child JVM running {@code mainClass}.
   *
   * @param mainClass a class with a {@code public static void main(String[])}
   * @return a new builder
   */
  public static Builder builder(Class<?> mainClass) {
    return new Builder(Objects.requireNonNull(mainClass, "mainClass").getName());
  }

  /**
   * A builder for a child JVM running the class named {@code mainClass}.
   *
   * @param mainClass a binary class name
   * @return a new builder
   */
  public static Builder builder(String mainClass) {
    Objects.requireNonNull(mainClass, "mainClass");
    if (mainClass.isBlank()) {
      throw new IllegalArgumentException("mainClass must not be blank");
    }
    return new Builder(mainClass);
  }

  /**
   * What a finished child did.
   *
   * @param exitCode its exit code (137 after SIGKILL)
   * @param stdout what it printed on stdout
   * @param stderr what it printed on stderr
   */
  public record Result(int exitCode, String stdout, String stderr) {}

  /**
   * The child's pid.
   *
   * @return its pid
   */
  public long pid() {
    return process.pid();
  }

  /**
   * Whether the child still runs.
   *
   * @return true if alive
   */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Waits until a line of the child's stdout contains a match of {@code pattern} (typically a "ready" line announcing
   * a port).
   *
   * @param pattern what to look for in each line
   * @param timeout the longest wait
   * @return the match, whose groups carry what the child announced
   * @throws TestkitException {@link TestkitException.Reason#PROCESS_EXITED} if the child ended its output first,
   *     {@link TestkitException.Reason#TIMEOUT} if the time ran out (the child keeps running); both with its output
   */
  public MatchResult awaitStdout(Pattern pattern, Duration timeout) {
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(timeout, "timeout");
    return stdout
        .await(pattern, timeout)
        .orElseThrow(
            () ->
                stdout.ended()
                    ? new TestkitException(
                        Reason.PROCESS_EXITED,
                        describe() + " ended its output without printing a line matching " + pattern + outputs())
                    : new TestkitException(
                        Reason.TIMEOUT,
                        describe() + " printed no line matching " + pattern + " within " + timeout + outputs()));
  }

  /**
   * What the child printed on stdout so far.
   *
   * @return the captured stdout
   */
  public String stdout() {
    return stdout.text();
  }

  /**
   * What the child printed on stderr so far.
   *
   * @return the captured stderr
   */
  public String stderr() {
    return stderr.text();
  }

  /**
   * Waits for the child to exit.
   *
   * @param timeout the longest wait
   * @return its exit code and output
   * @throws TestkitException {@link TestkitException.Reason#TIMEOUT} if it did not exit in time: it is then killed,
   *     and the message carries its output
   */
  public Result waitFor(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    boolean exited;
    try {
      exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exited = false;
    }
    if (!exited) {
      kill();
      throw new TestkitException(
          Reason.TIMEOUT, describe() + " did not exit within " + timeout + "; killed it" + outputs());
    }
    return finished();
  }

  /**
   * SIGKILLs the child and every process it started, and waits for them to be gone.
   *
   * @return its exit code (137 unless it had already exited) and output
   */
  public Result kill() {
    ProcessTrees.kill(process.toHandle(), false, Duration.ofSeconds(10));
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return finished();
  }

  /** Kills the child if it still runs. Idempotent. */
  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
    Cleanup.unregister(atExit);
  }

  @Override
  public String toString() {
    return describe();
  }

  private Result finished() {
    stdout.awaitEnd(DRAIN_TIMEOUT);
    stderr.awaitEnd(DRAIN_TIMEOUT);
    Cleanup.unregister(atExit);
    return new Result(process.exitValue(), stdout.text(), stderr.text());
  }

  private String describe() {
    return "child JVM " + mainClass + " (pid " + process.pid() + ")";
  }

  private String outputs() {
    return "\nstdout: " + Text.tail(stdout.text()) + "\nstderr: " + Text.tail(stderr.text());
  }

  /**
   * The JVM options a child needs on a JDK of this feature release.
   *
   * @param feature the JDK feature release ({@code Runtime.version().feature()})
   * @return {@code --enable-native-access=ALL-UNNAMED} on 22 and later, nothing before
   */
  static List<String> nativeAccessOptions(int feature) {
    return feature >= 22 ? List.of("--enable-native-access=ALL-UNNAMED") : List.of();
  }

  /** Options for a child JVM. Arguments and JVM options accumulate; the other options may be set once. */
  public static final class Builder {
    private final String mainClass;
    private final List<String> args = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private @Nullable String classPath; // null: this JVM's class path
    private @Nullable Path workingDirectory; // null: this JVM's working directory

    private Builder(String mainClass) {
      this.mainClass = mainClass;
    }

    /**
     * Adds program arguments.
     *
     * @param arguments arguments for {@code main}
     * @return this builder
     */
    public Builder args(String... arguments) {
      for (String a : arguments) {
        args.add(Objects.requireNonNull(a, "argument"));
      }
      return this;
    }

    /**
     * Adds JVM options ({@code -Xmx128m}, {@code -Dkey=value}).
     *
     * @param options JVM options
     * @return this builder
     */
    public Builder jvmOptions(String... options) {
      for (String o : options) {
        Objects.requireNonNull(o, "JVM option");
        if (!o.startsWith("-")) {
          throw new IllegalArgumentException("JVM option must start with '-', got '" + o + "'");
        }
        jvmOptions.add(o);
      }
      return this;
    }

    /**
     * Sets an environment variable for the child (added to the inherited environment).
     *
     * @param name the variable
     * @param value its value
     * @return this builder
     */
    public Builder env(String name, String value) {
      Objects.requireNonNull(name, "env name");
      Objects.requireNonNull(value, "env value");
      if (name.isEmpty() || name.indexOf('=') >= 0) {
        throw new IllegalArgumentException("env name must be non-empty without '=', got '" + name + "'");
      }
      if (env.containsKey(name)) {
        throw new IllegalStateException("env " + name + " was already set");
      }
      env.put(name, value);
      return this;
    }

    /**
     * The class path (default: this JVM's {@code java.class.path}).
     *
     * @param path a class path
     * @return this builder
     */
    public Builder classPath(String path) {
      classPath = Options.once(classPath, path, "classPath");
      return this;
    }

    /**
     * The child's working directory (default: this JVM's).
     *
     * @param directory an existing directory
     * @return this builder
     */
    public Builder workingDirectory(Path directory) {
      workingDirectory = Options.once(workingDirectory, directory, "workingDirectory");
      return this;
    }

    /**
     * Starts the child.
     *
     * @return the running child
     * @throws TestkitException {@link TestkitException.Reason#START_FAILED} if it cannot be started
     */
    public ChildJvm start() {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(nativeAccessOptions(Runtime.version().feature()));
      cmd.addAll(jvmOptions);
      cmd.add("-cp");
      cmd.add(classPath != null ? classPath : System.getProperty("java.class.path"));
      cmd.add(mainClass);
      cmd.addAll(args);
      ProcessBuilder builder =
          new ProcessBuilder(Spawner.argv(cmd, null, true)).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().putAll(env);
      if (workingDirectory != null) {
        builder.directory(workingDirectory.toFile());
      }
      Process process;
      try {
        process = Spawner.startTied(builder);
      } catch (IOException e) {
        throw new TestkitException(Reason.START_FAILED, "could not start a child JVM for " + mainClass + ": " + e.getMessage(), e);
      }
      ChildJvm child = new ChildJvm(mainClass, process);
      Cleanup.register(child.atExit);
      return child;
    }

    /**
     * Starts the child and waits for it to exit.
     *
     * @param timeout the longest wait (the child is killed after it)
     * @return its exit code and output
     */
    public Result run(Duration timeout) {
      try (ChildJvm child = start()) {
        return child.waitFor(timeout);
      }
    }
  }
}
