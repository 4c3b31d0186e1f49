package dev.secureyeoman.audit;

import java.nio.file.Path;

/**
 * Child process for {@link MultiProcessWriterTest}: a second writer process that opens the same database and appends
 * {@code count} entries, then prints {@code DONE}.
 */
public final class WriterChild {
  private WriterChild() {}

  /**
   * Entry point.
   *
   * @param args database path, number of entries, tag written into each message
   * @throws Exception on failure (non-zero exit)
   */
  public static void main(String[] args) throws Exception {
    int count = Integer.parseInt(args[1]);
    try (AuditStore store = TestSupport.open(Path.of(args[0]))) {
      for (int i = 0; i < count; i++) {
        store.append(AuditEvent.builder("child.append").actor("child").message(args[2] + "-" + i).build());
      }
    }
    System.out.println("DONE " + count);
  }
}
