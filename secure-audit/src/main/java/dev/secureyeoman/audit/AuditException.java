package dev.secureyeoman.audit;

import dev.secureyeoman.core.SecureYeomanException;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The audit log could not perform an operation. {@link #reason()} says why, so callers switch on it instead of parsing
 * messages (like {@code EnvelopeException.Reason}); when the store refused an operation because the log fails
 * verification, {@link #verification()} holds the result that made it refuse.
 */
public class AuditException extends SecureYeomanException {
  private static final long serialVersionUID = 1L;

  /** Why an audit operation failed. */
  public enum Reason {
    /** The database or a file could not be read or written (I/O, SQLite error, busy beyond the timeout). */
    STORAGE,
    /** The store was closed, or its writer stopped. */
    CLOSED,
    /** The calling thread was interrupted before the operation was queued. */
    INTERRUPTED,
    /** No audit database exists at the path (read-only opening never creates one). */
    NOT_FOUND,
    /** The database schema is newer than this library, or could not be migrated. */
    UNSUPPORTED_SCHEMA,
    /**
     * The store refused to purge or to sign a checkpoint because the log fails verification (against its chain or the
     * existing checkpoints); {@link #verification()} holds the result. Nothing was deleted or signed.
     */
    VERIFICATION_FAILED,
    /**
     * The checkpoint file ends in an incomplete note (a write was torn); repair it with
     * {@link CheckpointSinks#repairTornTail} or {@code secureyeoman audit repair-checkpoints}.
     */
    CHECKPOINT_FILE_TORN,
    /** The checkpoint file holds text that is not a checkpoint note. */
    CHECKPOINT_FILE_MALFORMED,
    /** A checkpoint sink already holds checkpoints where a new one was to be started, or holds none where required. */
    CHECKPOINT_STATE,
    /**
     * The store refuses to append (and to purge) because a verification of this log failed: nothing new is written on
     * top of evidence. {@link #verification()} holds the failure as recorded. The state is kept in the database (it
     * survives a restart and holds for every process); the host resumes with
     * {@link AuditStore#acknowledgeTampering(String)} after investigating.
     */
    TAMPERED,
    /**
     * This store was opened with keys under which the newest entry does not verify — almost always a wrong audit key
     * (or key id), otherwise a tampered head. It refuses to append and to purge: entries MACed under a wrong key would
     * make the log fail verification from that entry on, for good. Nothing is recorded in the database (a process with
     * the wrong key must not be able to lock the log); open the store with the right key, or run verify.
     */
    KEY_MISMATCH
  }

  private final Reason reason;
  private final transient @Nullable VerificationResult verification;

  /**
   * Creates a {@link Reason#STORAGE} exception.
   *
   * @param message what failed, with context (file, seq) but no secrets
   */
  public AuditException(String message) {
    this(Reason.STORAGE, message, null, null);
  }

  /**
   * Creates a {@link Reason#STORAGE} exception with a cause.
   *
   * @param message what failed, with context (file, seq) but no secrets
   * @param cause the underlying failure
   */
  public AuditException(String message, @Nullable Throwable cause) {
    this(Reason.STORAGE, message, cause, null);
  }

  /**
   * Creates an exception with a reason.
   *
   * @param reason why the operation failed
   * @param message what failed, with context but no secrets
   */
  public AuditException(Reason reason, String message) {
    this(reason, message, null, null);
  }

  /**
   * Creates an exception with a reason and a cause.
   *
   * @param reason why the operation failed
   * @param message what failed, with context but no secrets
   * @param cause the underlying failure
   */
  public AuditException(Reason reason, String message, @Nullable Throwable cause) {
    this(reason, message, cause, null);
  }

  private AuditException(
      Reason reason, String message, @Nullable Throwable cause, @Nullable VerificationResult verification) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.verification = verification;
  }

  /**
   * A {@link Reason#VERIFICATION_FAILED} exception: {@code operation} was refused because the log fails verification.
   *
   * @param operation what was refused, e.g. {@code "refusing to purge"}
   * @param result the failed verification
   * @return the exception, its message ending in {@link VerificationResult#summary()}
   */
  public static AuditException verificationFailed(String operation, VerificationResult result) {
    if (result == null || result.valid()) {
      throw new IllegalArgumentException("result must be a failed verification");
    }
    return new AuditException(
        Reason.VERIFICATION_FAILED, operation + ": the audit log fails verification: " + result.summary(), null,
        result);
  }

  /**
   * A {@link Reason#TAMPERED} exception: {@code operation} was refused because the log failed verification earlier.
   *
   * @param operation what was refused, e.g. {@code "refusing to append"}
   * @param result the recorded failure
   * @return the exception
   */
  public static AuditException tampered(String operation, VerificationResult result) {
    if (result == null || result.valid()) {
      throw new IllegalArgumentException("result must be a failed verification");
    }
    return new AuditException(
        Reason.TAMPERED,
        operation + ": the audit log failed verification (" + result.summary() + "); it stays read-only until the host"
            + " acknowledges with acknowledgeTampering(reason)",
        null, result);
  }

  /**
   * Copies {@code other} with a new message, keeping its reason and verification (used to rethrow across threads).
   *
   * @param other the exception to copy
   * @return the copy, with {@code other} as its cause
   */
  @SuppressWarnings("NullAway") // getMessage() is the message the copied exception was created with (non-null API)
  public static AuditException rethrown(AuditException other) {
    return new AuditException(other.reason, other.getMessage(), other, other.verification);
  }

  /**
   * Why the operation failed.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  /**
   * The failed verification behind a {@link Reason#VERIFICATION_FAILED} refusal.
   *
   * @return the result, or empty for other reasons
   */
  public Optional<VerificationResult> verification() {
    return Optional.ofNullable(verification);
  }
}
