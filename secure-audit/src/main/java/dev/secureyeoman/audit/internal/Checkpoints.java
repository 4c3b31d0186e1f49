package dev.secureyeoman.audit.internal;

import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.Checkpoint;
import dev.secureyeoman.audit.CheckpointSink;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.audit.VerifyOptions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Optional;
import java.util.OptionalLong;

/** What a verification checks against, from the options and the store's checkpoint settings; shared by both engines. */
final class Checkpoints {
  private Checkpoints() {}

  /**
   * The checks of one verification and the sink state they came from.
   *
   * @param checks what the {@link Verifier} checks
   * @param sink the sink read (or the given checkpoints, never torn)
   */
  record Plan(Verifier.Checks checks, SqliteReads.SinkState sink) {
    /** A valid result over a torn checkpoint file is reported as {@code CHECKPOINT_FILE_TORN}. */
    VerificationResult withTornSink(VerificationResult r) {
      if (!r.valid() || !sink.torn()) {
        return r;
      }
      long at = sink.checkpoints().stream().mapToLong(Checkpoint::seq).max().orElse(0) + 1;
      return new VerificationResult(
          false, r.entriesChecked(), r.firstSeq(), r.headSeq(), r.checkpointsChecked(), OptionalLong.of(at),
          Optional.of(VerificationResult.Problem.CHECKPOINT_FILE_TORN), sink.tornDetail());
    }
  }

  /**
   * Whether the options carry the caller's own expectations (an expected log id, checkpoints or a trusted key) rather
   * than the store's configuration: a failure against them alone is the caller's mistake, not tampering.
   */
  static boolean callerExpectations(VerifyOptions options) {
    return options.expectedLogId().isPresent() || !options.checkpoints().isEmpty()
        || options.checkpointKey().isPresent();
  }

  /** The store's own checks: its configured sink and key, no caller expectations. */
  static Plan own(Optional<CheckpointSink> sink, Optional<KeyPair> signingKeys) throws AuditException {
    return plan(VerifyOptions.defaults(), sink, signingKeys);
  }

  /**
   * The checkpoints given in the options, else (when allowed) the configured sink's; the trusted key from the options,
   * else the store's own signing key.
   *
   * @throws AuditException if the sink cannot be read
   * @throws IllegalArgumentException if checkpoints are to be checked but no trusted key is known
   */
  static Plan plan(VerifyOptions options, Optional<CheckpointSink> sink, Optional<KeyPair> signingKeys)
      throws AuditException {
    boolean fromSink = options.checkpoints().isEmpty() && options.useSinkCheckpoints() && sink.isPresent();
    SqliteReads.SinkState state =
        fromSink ? SqliteReads.readSink(sink.get()) : new SqliteReads.SinkState(options.checkpoints(), false, "");
    PublicKey key = options.checkpointKey().orElse(signingKeys.map(KeyPair::getPublic).orElse(null));
    if (!state.checkpoints().isEmpty() && key == null) {
      throw new IllegalArgumentException("checkpoints given but no trusted checkpoint key");
    }
    return new Plan(
        new Verifier.Checks(
            state.checkpoints(), key, fromSink, options.expectedLogId(), options.progress(), options.incremental()),
        state);
  }
}
