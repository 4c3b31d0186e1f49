package dev.secureyeoman.audit;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where signed checkpoints go. It must live outside the audit database (ideally on another machine or write-once media),
 * because an attacker who can rewrite both can roll back both.
 */
public interface CheckpointSink {

  /**
   * Durably appends a checkpoint.
   *
   * @param checkpoint the signed checkpoint
   * @throws AuditException if it could not be written
   */
  void append(Checkpoint checkpoint) throws AuditException;

  /**
   * Reads every checkpoint written so far, oldest first.
   *
   * @return the checkpoints
   * @throws AuditException if the sink cannot be read or is malformed
   */
  List<Checkpoint> readAll() throws AuditException;

  /**
   * The file this sink writes to, if it is file-based (used to refuse a sink inside the database directory).
   *
   * @return the file, or empty
   */
  default Optional<Path> location() {
    return Optional.empty();
  }
}
