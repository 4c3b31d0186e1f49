package dev.secureyeoman.audit;

import java.security.PublicKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link AuditStore#verify(VerifyOptions)} checks besides the chain itself.
 *
 * @param progress progress callback
 * @param checkpoints signed checkpoints to check the log against; when empty and {@code useSinkCheckpoints} is set, the
 *     store's configured {@link CheckpointSink} is read
 * @param checkpointKey the trusted Ed25519 public key for the checkpoints; when empty the store's own signing key is used
 * @param useSinkCheckpoints whether to read the configured sink when no checkpoints are given
 * @param expectedLogId the log id the database must have (for a caller who recorded it), or empty
 * @param incremental incremental verification: trust the entries up to the newest validly signed checkpoint whose
 *     head hash matches the stored row, and re-MAC only the later ones (see {@link #sinceCheckpoint()})
 */
public record VerifyOptions(
    VerificationProgress progress,
    List<Checkpoint> checkpoints,
    Optional<PublicKey> checkpointKey,
    boolean useSinkCheckpoints,
    Optional<String> expectedLogId,
    boolean incremental) {

  /** Validates and copies. */
  public VerifyOptions {
    Objects.requireNonNull(progress, "progress");
    checkpoints = List.copyOf(Objects.requireNonNull(checkpoints, "checkpoints"));
    Objects.requireNonNull(checkpointKey, "checkpointKey");
    Objects.requireNonNull(expectedLogId, "expectedLogId");
    expectedLogId.ifPresent(
        id -> {
          if (!id.matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("expectedLogId must be 32 lowercase hex chars");
          }
        });
  }

  /**
   * Full-verification options.
   *
   * @param progress progress callback
   * @param checkpoints checkpoints to check
   * @param checkpointKey trusted checkpoint key
   * @param useSinkCheckpoints whether to read the configured sink when no checkpoints are given
   * @param expectedLogId the log id the database must have, or empty
   */
  public VerifyOptions(
      VerificationProgress progress,
      List<Checkpoint> checkpoints,
      Optional<PublicKey> checkpointKey,
      boolean useSinkCheckpoints,
      Optional<String> expectedLogId) {
    this(progress, checkpoints, checkpointKey, useSinkCheckpoints, expectedLogId, false);
  }

  /**
   * Options without an expected log id.
   *
   * @param progress progress callback
   * @param checkpoints checkpoints to check
   * @param checkpointKey trusted checkpoint key
   * @param useSinkCheckpoints whether to read the configured sink when no checkpoints are given
   */
  public VerifyOptions(
      VerificationProgress progress,
      List<Checkpoint> checkpoints,
      Optional<PublicKey> checkpointKey,
      boolean useSinkCheckpoints) {
    this(progress, checkpoints, checkpointKey, useSinkCheckpoints, Optional.empty());
  }

  /**
   * Defaults: no progress, checkpoints from the configured sink (if any) under the store's signing key.
   *
   * @return the defaults
   */
  public static VerifyOptions defaults() {
    return new VerifyOptions(VerificationProgress.NONE, List.of(), Optional.empty(), true);
  }

  /**
   * Returns a copy with a progress callback.
   *
   * @param p the callback
   * @return new options
   */
  public VerifyOptions withProgress(VerificationProgress p) {
    return new VerifyOptions(p, checkpoints, checkpointKey, useSinkCheckpoints, expectedLogId, incremental);
  }

  /**
   * Returns a copy that checks the given checkpoints under the given trusted key instead of the sink's.
   *
   * @param cps checkpoints (e.g. read from an auditor's copy)
   * @param key trusted Ed25519 public key
   * @return new options
   */
  public VerifyOptions withCheckpoints(List<Checkpoint> cps, PublicKey key) {
    return new VerifyOptions(
        progress, cps, Optional.of(Objects.requireNonNull(key, "key")), false, expectedLogId, incremental);
  }

  /**
   * Returns a copy that checks the chain only (no checkpoints even if a sink is configured).
   *
   * @return new options
   */
  public VerifyOptions withoutCheckpoints() {
    return new VerifyOptions(progress, List.of(), checkpointKey, false, expectedLogId, false);
  }

  /**
   * Returns a copy that also requires the database to be the log with this id.
   *
   * @param logId 32 lowercase hex characters, as {@link AuditReader#logId()} returned them
   * @return new options
   */
  public VerifyOptions withExpectedLogId(String logId) {
    return new VerifyOptions(
        progress, checkpoints, checkpointKey, useSinkCheckpoints, Optional.of(logId), incremental);
  }

  /**
   * Returns a copy that verifies incrementally from the newest trusted checkpoint. The entries up to that checkpoint's
   * seq are trusted — not re-MACed — only if the checkpoint's signature verifies under the trusted key, no other signed
   * checkpoint forks it, and its head hash equals the stored row's hash (whose own MAC is checked); every later entry is
   * checked in full (MAC, link, seq, storage class), as is every other checkpoint (signature, fork, truncation, and the
   * stored hash at its seq). Without a usable checkpoint (none, or all purged) the verification is a full one. What this
   * cannot detect: an edit of an entry before the checkpoint that leaves the checkpointed row itself intact — run a full
   * verification periodically (docs/audit.md, threat model).
   *
   * @return new options
   */
  public VerifyOptions sinceCheckpoint() {
    return new VerifyOptions(progress, checkpoints, checkpointKey, useSinkCheckpoints, expectedLogId, true);
  }
}
