package dev.secureyeoman.audit;

import dev.secureyeoman.audit.internal.FileCheckpointSink;
import java.nio.file.Path;

/** Factories for {@link CheckpointSink}s, and the repair of a checkpoint file whose last write was torn. */
public final class CheckpointSinks {
  private CheckpointSinks() {}

  /**
   * An append-only text file (created 0600; each checkpoint appended and fsynced; existing content never rewritten).
   * A file that ends in an incomplete note is reported ({@link AuditException.Reason#CHECKPOINT_FILE_TORN},
   * {@link VerificationResult.Problem#CHECKPOINT_FILE_TORN}) and refuses appends until {@link #repairTornTail(Path)}.
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

  /**
   * Repairs a checkpoint file whose last note is incomplete (a crash or a full disk during an append): the incomplete
   * bytes are moved to {@code <file>.torn-<epoch millis>} (mode 0600, kept as evidence) and the file is truncated to
   * its complete notes, which are never modified. The CLI equivalent is {@code secureyeoman audit repair-checkpoints}.
   *
   * @param file the checkpoint file
   * @return the number of bytes moved aside; 0 when the file was not torn (nothing is written then)
   * @throws AuditException {@link AuditException.Reason#CHECKPOINT_FILE_MALFORMED} if a complete note is malformed
   *     (that is not a torn write and is left for a human to inspect), or a storage failure
   */
  public static long repairTornTail(Path file) throws AuditException {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    return new FileCheckpointSink(file).repairTornTail();
  }
}
