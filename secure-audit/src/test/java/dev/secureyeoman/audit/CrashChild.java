package dev.secureyeoman.audit;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Child process for {@link CrashTest}: appends from four threads forever and prints {@code OK <seq> <message> END} after
 * each append returned. Killed with SIGKILL by the parent.
 */
public final class CrashChild {
  private CrashChild() {}

  /**
   * Entry point.
   *
   * @param args database path, run id
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    AtomicLong counter = new AtomicLong();
    AuditStore store = TestSupport.open(Path.of(args[0]));
    out.println("READY");
    Runnable loop =
        () -> {
          try {
            while (true) {
              String msg = args[1] + "-" + counter.incrementAndGet();
              AuditEntry e = store.append(AuditEvent.builder("crash.test").message(msg).put("run", args[1]).build());
              out.println("OK " + e.seq() + " " + msg + " END");
            }
          } catch (AuditException e) {
            out.println("FAIL " + e.getMessage());
          }
        };
    for (int i = 0; i < 3; i++) {
      new Thread(loop).start();
    }
    loop.run();
  }
}
