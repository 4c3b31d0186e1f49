package dev.secureyeoman.audit;

import dev.secureyeoman.audit.internal.FileCheckpointSink;
import java.nio.file.Path;

/** Factories for {@link CheckpointSink}s. */
public final class CheckpointSinks {
  private CheckpointSinks() {}

  /**
   * An append-only text file (created 0600; each checkpoint appended and fsynced; existing content never rewritten).
   *
   * @param file the checkpoint file; must not be inside the audit database's directory
   * @return the sink
   */
  public static CheckpointSink appendOnlyFile(Path file) {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    return new FileCheckpointSink(file);
  }
}
