package dev.secureyeoman.audit;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Outcome of verifying an audit log: either valid, or the first broken sequence number and why.
 *
 * @param valid whether every check passed
 * @param entriesChecked entries whose MAC and chain link were checked
 * @param firstSeq first sequence number present (0 for an empty log)
 * @param headSeq last sequence number present (0 for an empty log)
 * @param checkpointsChecked checkpoints whose signature and head hash were checked
 * @param firstBrokenSeq the first sequence number at which verification failed
 * @param problem what failed
 * @param detail a human-readable explanation (no secrets)
 * @param trustedThroughSeq for an incremental verification ({@link VerifyOptions#sinceCheckpoint()}): the seq of the
 *     signed checkpoint whose head was matched against the stored row, so entries up to it were trusted and not
 *     re-MACed; 0 when every entry was checked
 */
public record VerificationResult(
    boolean valid,
    long entriesChecked,
    long firstSeq,
    long headSeq,
    int checkpointsChecked,
    OptionalLong firstBrokenSeq,
    Optional<Problem> problem,
    String detail,
    long trustedThroughSeq) {

  /** Kinds of verification failure. */
  public enum Problem {
    /** An entry's stored MAC does not match its fields: the entry was edited or re-signed with another key. */
    ENTRY_ALTERED,
    /** An entry's {@code prev_hash} does not match the previous entry: entries were removed, inserted or reordered. */
    CHAIN_BROKEN,
    /** A sequence number is missing or out of order: an entry was deleted or renumbered. */
    SEQUENCE_GAP,
    /** An entry names a key id the keyring does not hold (or the key was replaced). */
    UNKNOWN_KEY,
    /** An entry cannot be decoded (metadata not valid JSON, wrong hash length). */
    MALFORMED_ENTRY,
    /** The oldest entries are missing and no authenticated {@code retention_purge} entry accounts for them. */
    UNANCHORED_START,
    /** The log ends before a signed checkpoint's sequence number: newest entries deleted or an older copy restored. */
    TRUNCATED,
    /** The entry at a checkpoint's sequence number has a different hash: the log was rolled back or forked. */
    CHECKPOINT_MISMATCH,
    /** A checkpoint's signature does not verify under the trusted public key. */
    CHECKPOINT_SIGNATURE_INVALID,
    /**
     * Two validly signed checkpoints name the same seq with different head hashes (or log ids): the log was rolled back
     * and grew again — a fork. Whichever branch the database holds now, the other one existed and was signed.
     */
    CHECKPOINT_FORK,
    /**
     * Checkpoints are configured but the checkpoint file is missing or holds no checkpoint while the log has entries:
     * the file was deleted or emptied (or never started: see {@link AuditStore#startCheckpoints()}).
     */
    CHECKPOINTS_MISSING,
    /**
     * The checkpoint file ends in an incomplete note (a torn write). The complete notes before it were checked; repair
     * the file with {@link CheckpointSinks#repairTornTail} before new checkpoints can be appended.
     */
    CHECKPOINT_FILE_TORN,
    /**
     * A column is stored with another SQLite storage class than the store writes (for example {@code actor} as a BLOB
     * or {@code ts} as TEXT): the MAC still matches the bytes, but filters and retention would no longer see the row.
     */
    STORAGE_TYPE_ALTERED,
    /**
     * The database is not the log the checkpoints (or the caller) name: its log id differs, or its log id record is
     * missing — for example a whole database from another log under the same key was put in place.
     */
    LOG_ID_MISMATCH
  }

  /** Validates non-null fields. */
  public VerificationResult {
    if (trustedThroughSeq < 0) {
      throw new IllegalArgumentException("trustedThroughSeq must be >= 0");
    }
    Objects.requireNonNull(firstBrokenSeq, "firstBrokenSeq");
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(detail, "detail");
    if (valid == problem.isPresent()) {
      throw new IllegalArgumentException("a valid result has no problem and an invalid one has one");
    }
  }

  /**
   * A result of a full verification (nothing trusted from a checkpoint).
   *
   * @param valid whether every check passed
   * @param entriesChecked entries whose MAC and chain link were checked
   * @param firstSeq first sequence number present
   * @param headSeq last sequence number present
   * @param checkpointsChecked checkpoints checked
   * @param firstBrokenSeq the first broken seq
   * @param problem what failed
   * @param detail explanation
   */
  public VerificationResult(
      boolean valid,
      long entriesChecked,
      long firstSeq,
      long headSeq,
      int checkpointsChecked,
      OptionalLong firstBrokenSeq,
      Optional<Problem> problem,
      String detail) {
    this(valid, entriesChecked, firstSeq, headSeq, checkpointsChecked, firstBrokenSeq, problem, detail, 0);
  }

  /**
   * Whether this was an incremental verification that trusted a prefix on a signed checkpoint.
   *
   * @return {@code trustedThroughSeq() > 0}
   */
  public boolean incremental() {
    return trustedThroughSeq > 0;
  }

  /**
   * One line for humans and logs, e.g. {@code FAILED at seq 42: ENTRY_ALTERED (...)}.
   *
   * @return the summary
   */
  public String summary() {
    if (valid) {
      return "OK: " + entriesChecked + " entries (seq " + firstSeq + ".." + headSeq + "), " + checkpointsChecked
          + " checkpoint(s)"
          + (trustedThroughSeq > 0
              ? "; incremental: entries up to seq " + trustedThroughSeq + " trusted on the signed checkpoint"
              : "");
    }
    return "FAILED at seq " + firstBrokenSeq.orElse(0) + ": " + problem.orElseThrow() + " (" + detail + ")";
  }
}
