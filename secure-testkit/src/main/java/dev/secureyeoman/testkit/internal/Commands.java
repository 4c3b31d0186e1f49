package dev.secureyeoman.testkit.internal;

import dev.secureyeoman.testkit.TestkitException;
import dev.secureyeoman.testkit.TestkitException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** Runs short helper commands ({@code initdb}, {@code createdb}, {@code kill}, {@code id}) with a deadline. */
public final class Commands {
  private Commands() {}

  /**
   * What a command printed (stdout and stderr merged) and its exit code.
   *
   * @param exitCode the exit code
   * @param output everything it printed
   */
  public record Result(int exitCode, String output) {}

  /**
   * Runs {@code argv}, stdin empty.
   *
   * @param argv the command
   * @param timeout how long it may take
   * @return its result, whatever the exit code
   * @throws TestkitException {@link Reason#TIMEOUT} (after killing it) or {@link Reason#COMMAND_FAILED} if it cannot run
   */
  public static Result run(List<String> argv, Duration timeout) {
    return run(argv, timeout, null, b -> {});
  }

  /**
   * Runs {@code argv} with {@code stdin} as its standard input (null: empty) after {@code customize} adjusted the
   * builder (environment, directory).
   *
   * @param argv the command
   * @param timeout how long it may take
   * @param stdin bytes to write to its stdin, or null
   * @param customize adjusts the process builder
   * @return its result, whatever the exit code
   */
  public static Result run(
      List<String> argv, Duration timeout, byte @Nullable [] stdin, Consumer<ProcessBuilder> customize) {
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    if (stdin == null) {
      builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }
    customize.accept(builder);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new TestkitException(Reason.COMMAND_FAILED, "could not run " + argv.get(0) + ": " + e.getMessage(), e);
    }
    CompletableFuture<String> output =
        CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()), Threads.POOL);
    try {
      if (stdin != null) {
        try (OutputStream in = process.getOutputStream()) {
          in.write(stdin);
        } catch (IOException e) {
          // the command exited without reading its input: its exit code and output tell why
        }
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        ProcessTrees.kill(process.toHandle(), false, Duration.ofSeconds(5));
        throw new TestkitException(
            Reason.TIMEOUT, argv.get(0) + " did not finish within " + timeout + "; killed it");
      }
      return new Result(process.exitValue(), output.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ProcessTrees.kill(process.toHandle(), false, Duration.ofSeconds(5));
      throw new TestkitException(Reason.COMMAND_FAILED, "interrupted while running " + argv.get(0), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new TestkitException(Reason.COMMAND_FAILED, "could not read the output of " + argv.get(0), e);
    }
  }

  /**
   * Runs {@code argv} and fails unless it exits with 0.
   *
   * @param argv the command
   * @param timeout how long it may take
   * @param what what the command does, for the error message
   * @return its output
   * @throws TestkitException {@link Reason#COMMAND_FAILED} with the command's output if it fails
   */
  public static String check(List<String> argv, Duration timeout, String what) {
    return check(run(argv, timeout), argv, what);
  }

  /**
   * Fails unless {@code result} is a success.
   *
   * @param result the result of running {@code argv}
   * @param argv the command
   * @param what what the command does, for the error message
   * @return its output
   */
  public static String check(Result result, List<String> argv, String what) {
    if (result.exitCode() != 0) {
      throw new TestkitException(
          Reason.COMMAND_FAILED,
          what + " failed: " + argv.get(0) + " exited with " + result.exitCode() + ": " + Text.tail(result.output()));
    }
    return result.output();
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
