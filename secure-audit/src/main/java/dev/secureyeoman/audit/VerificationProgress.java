package dev.secureyeoman.audit;

/** Receives progress while {@link AuditStore#verify(VerifyOptions)} streams the log. */
@FunctionalInterface
public interface VerificationProgress {
  /** Ignores progress. */
  VerificationProgress NONE = (checked, total) -> {};

  /**
   * Called periodically from the verifying thread.
   *
   * @param checked entries verified so far
   * @param total entries in the snapshot being verified
   */
  void onProgress(long checked, long total);
}
