package dev.secureyeoman.audit;

import java.nio.file.Path;

/**
 * Child process for {@link AuditAttackTest}: appends entries, purges all but the newest, prints {@code PURGED} and halts
 * at once (a crash between the purge commit and the deferred space reclamation). Appends keep arriving while it purges
 * so the writer has no idle moment for a reclamation step.
 */
public final class PurgeCrashChild {
  private PurgeCrashChild() {}

  /**
   * Entry point.
   *
   * @param args database path, number of entries
   * @throws Exception on failure (non-zero exit)
   */
  public static void main(String[] args) throws Exception {
    int count = Integer.parseInt(args[1]);
    AuditStore store = TestSupport.open(Path.of(args[0]));
    for (int i = 0; i < count; i++) {
      store.appendAsync(AuditEvent.builder("e").message("secret-purged-" + i + "-" + "p".repeat(200)).build());
    }
    store.append(AuditEvent.builder("e").message("last before purge").build());
    for (int i = 0; i < 200; i++) {
      store.appendAsync(AuditEvent.builder("busy").message("kept " + i).build());
    }
    store.enforceRetention(RetentionPolicy.maxEntries(300));
    System.out.println("PURGED");
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }
}
