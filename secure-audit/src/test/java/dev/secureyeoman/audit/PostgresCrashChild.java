package dev.secureyeoman.audit;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Child process for {@link PostgresCrashTest}: one "node" appending to a PostgreSQL audit store from four threads until
 * it is killed, printing {@code OK <seq> <message> END} after each append returned (acknowledged). The password comes
 * from the environment variable {@code AUDIT_PG_PASSWORD}, never from argv.
 */
public final class PostgresCrashChild {
  private PostgresCrashChild() {}

  /**
   * Entry point.
   *
   * @param args JDBC URL, user, node id (the message prefix)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    String password = System.getenv().getOrDefault("AUDIT_PG_PASSWORD", "");
    DataSource ds = PostgresAuditStoreTest.dataSource(args[0], args[1], password);
    String node = args[2];
    AtomicLong counter = new AtomicLong();
    AuditStore store = PostgresAuditStoreTest.open(ds);
    out.println("READY " + node);
    Runnable loop =
        () -> {
          try {
            while (true) {
              String msg = node + "-" + counter.incrementAndGet();
              AuditEntry e =
                  store.append(AuditEvent.builder("crash.test").actor(node).message(msg).put("node", node).build());
              out.println("OK " + e.seq() + " " + msg + " END");
            }
          } catch (AuditException | RuntimeException e) {
            out.println("FAIL " + e);
          }
        };
    for (int i = 0; i < 3; i++) {
      new Thread(loop, "append-" + i).start();
    }
    loop.run();
  }
}
