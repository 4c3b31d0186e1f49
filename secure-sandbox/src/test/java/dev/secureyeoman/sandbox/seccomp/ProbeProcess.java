package dev.secureyeoman.sandbox.seccomp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Test helpers: a fresh platform thread that dies after the test, and the python3 syscall probe. */
final class ProbeProcess {
  static final Path PYTHON = Path.of("/usr/bin/python3");

  private ProbeProcess() {}

  /** Whether the probe can run here (python3 present). */
  static boolean pythonAvailable() {
    return Files.isExecutable(PYTHON);
  }

  /** Runs {@code body} on a new platform thread (which then dies), rethrowing what it threw. */
  static <T> T onDedicatedThread(Callable<T> body) throws Exception {
    AtomicReference<T> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        result.set(body.call());
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "seccomp-test");
    t.start();
    t.join();
    Throwable f = failure.get();
    if (f instanceof Exception) {
      throw (Exception) f;
    }
    if (f instanceof Error) {
      throw (Error) f;
    }
    return result.get();
  }

  /** Writes the probe script to {@code dir}. */
  static Path script(Path dir) throws IOException {
    Path p = dir.resolve("syscall_probe.py");
    try (InputStream in = ProbeProcess.class.getResourceAsStream("syscall_probe.py")) {
      Files.copy(in, p);
    }
    return p;
  }

  /** Starts the probe from the calling thread and returns its key=value lines. */
  static Map<String, String> run(Path script, Path workDir) throws Exception {
    Process p = new ProcessBuilder(List.of(PYTHON.toString(), "-I", script.toString(), workDir.toString()))
        .redirectErrorStream(true)
        .start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("probe did not finish");
    }
    return parse(new String(out, StandardCharsets.UTF_8));
  }

  static Map<String, String> parse(String text) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        m.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      } else if (!line.isBlank()) {
        m.merge("_other", line, (a, b) -> a + "\n" + b);
      }
    }
    return m;
  }

  /** Seccomp and NoNewPrivs of a live process, from /proc/PID/status. */
  static Map<String, String> procStatus(long pid) throws IOException {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("Seccomp:") || line.startsWith("NoNewPrivs:")) {
        String[] kv = line.split(":", 2);
        m.put(kv[0], kv[1].trim());
      }
    }
    return m;
  }
}
