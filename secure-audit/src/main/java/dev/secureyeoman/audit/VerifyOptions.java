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
 */
public record VerifyOptions(
    VerificationProgress progress,
    List<Checkpoint> checkpoints,
    Optional<PublicKey> checkpointKey,
    boolean useSinkCheckpoints) {

  /** Validates and copies. */
  public VerifyOptions {
    Objects.requireNonNull(progress, "progress");
    checkpoints = List.copyOf(Objects.requireNonNull(checkpoints, "checkpoints"));
    Objects.requireNonNull(checkpointKey, "checkpointKey");
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
    return new VerifyOptions(p, checkpoints, checkpointKey, useSinkCheckpoints);
  }

  /**
   * Returns a copy that checks the given checkpoints under the given trusted key instead of the sink's.
   *
   * @param cps checkpoints (e.g. read from an auditor's copy)
   * @param key trusted Ed25519 public key
   * @return new options
   */
  public VerifyOptions withCheckpoints(List<Checkpoint> cps, PublicKey key) {
    return new VerifyOptions(progress, cps, Optional.of(Objects.requireNonNull(key, "key")), false);
  }

  /**
   * Returns a copy that checks the chain only (no checkpoints even if a sink is configured).
   *
   * @return new options
   */
  public VerifyOptions withoutCheckpoints() {
    return new VerifyOptions(progress, List.of(), checkpointKey, false);
  }
}
