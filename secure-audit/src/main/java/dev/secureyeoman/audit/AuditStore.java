package dev.secureyeoman.audit;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A tamper-evident audit log. Open the SQLite implementation with {@link SqliteAuditStore#open(AuditStoreOptions)}.
 *
 * <h2>Security guarantees</h2>
 *
 * <ul>
 *   <li>Every entry carries an HMAC-SHA256 over a canonical encoding of all its fields and the previous entry's MAC, so
 *       editing, inserting, deleting or reordering entries is detected by {@link #verify()} (naming the first broken seq).
 *   <li>{@link #enforceRetention(RetentionPolicy)} deletes only a verified prefix and appends an authenticated
 *       {@code retention_purge} entry; it is the only way verification accepts a log that does not start at seq 1.
 *   <li>Deleting the newest entries or restoring an older copy of the database is detected only against a signed
 *       {@link Checkpoint} kept outside the database ({@link #checkpoint()}); two checkpoints for the same seq with
 *       different heads are reported as a fork. A checkpoint is never signed over a log that fails verification against
 *       the existing checkpoints, and retention never purges such a log.
 *   <li>Every entry's MAC binds the {@linkplain #logId() log id}; checkpoints name it, so another log's database under
 *       the same key is recognised.
 *   <li>Fail closed: after a verification of this store fails, appends and purges are refused
 *       ({@link AuditException.Reason#TAMPERED}, in every process and after a restart) until the host calls
 *       {@link #acknowledgeTampering(String)}, so nothing new is written on top of evidence.
 *   <li>Several processes may append to the same database: each commit re-reads the head inside its
 *       {@code BEGIN IMMEDIATE} transaction, so the chain stays linear across processes.
 * </ul>
 *
 * <p>Non-goals: confidentiality of entries (they are stored in clear; keep secrets out of events), and protection against
 * an attacker who holds the MAC key.
 *
 * <p>All methods are thread-safe. Appends from any number of threads are serialised by one writer thread per store, and
 * stores in several processes are serialised by SQLite's write lock, into one chain.
 */
public interface AuditStore extends AuditReader, AuditSink {

  /**
   * Appends an event and returns once it is durably committed (WAL, {@code synchronous=FULL}).
   *
   * @param event the event
   * @return the committed entry with its seq and MAC
   * @throws AuditException if the store is closed or the commit failed, or {@link AuditException.Reason#TAMPERED} while
   *     the store is read-only after a failed verification ({@link #acknowledgeTampering(String)})
   */
  AuditEntry append(AuditEvent event) throws AuditException;

  /**
   * Enqueues an event; the future completes after the durable commit, or exceptionally with {@link AuditException}.
   *
   * @param event the event
   * @return the future committed entry
   */
  CompletableFuture<AuditEntry> appendAsync(AuditEvent event);

  /**
   * Same as {@link #append(AuditEvent)}.
   *
   * @param event the event
   * @throws AuditException if the event could not be recorded durably
   */
  @Override
  default void record(AuditEvent event) throws AuditException {
    append(event);
  }

  /**
   * Deletes old entries in one transaction and appends a chained {@code retention_purge} entry recording the range,
   * count, hash of the last deleted entry and the policy. The range is verified first — when checkpoints are configured,
   * the whole log against every checkpoint, because a rollback visible only against a checkpoint would otherwise be
   * erased with the range. A log that fails verification is not purged. Never deletes the head. Space is reclaimed
   * after this method returns, off the caller's path (issue 17): the writer thread runs FTS optimize, incremental vacuum
   * in bounded steps and a WAL truncate whenever no append is waiting, and finishes whatever is left in
   * {@link #close()}; {@link #reclaimSpace()} waits for it ({@link AuditMaintenance} calls it after each purge).
   *
   * @param policy the limits
   * @return the number of entries deleted (0: nothing to do, no purge entry written)
   * @throws AuditException {@link AuditException.Reason#VERIFICATION_FAILED} (with the result) if the log fails
   *     verification, a checkpoint-file reason if the checkpoints cannot be read, or on storage failure
   */
  default long enforceRetention(RetentionPolicy policy) throws AuditException {
    return enforceRetention(policy, VerificationProgress.NONE);
  }

  /**
   * Same as {@link #enforceRetention(RetentionPolicy)}, reporting the progress of the verification that precedes the
   * purge (the bulk of its time).
   *
   * @param policy the limits
   * @param progress receives progress from the writer thread
   * @return the number of entries deleted
   * @throws AuditException as {@link #enforceRetention(RetentionPolicy)}, or {@link AuditException.Reason#TAMPERED}
   *     while the store is read-only after a failed verification
   */
  long enforceRetention(RetentionPolicy policy, VerificationProgress progress) throws AuditException;

  /**
   * Reclaims the space of purged entries now and returns when it is done: FTS {@code optimize}, incremental vacuum until
   * the freelist is empty, {@code wal_checkpoint(TRUNCATE)}. {@link #enforceRetention(RetentionPolicy)} leaves this to
   * the writer thread's idle time (and to {@link #close()}); call this when the file must have shrunk before going on.
   * Changes no entry and writes no audit entry (allowed while the store is read-only).
   *
   * @return database pages given back to the file system (0 when there was nothing to reclaim)
   * @throws AuditException on storage failure, or if the store is closed
   */
  long reclaimSpace() throws AuditException;

  /**
   * The failed verification that made this store read-only, if any. A {@link #verify(VerifyOptions)} of this store that
   * fails (and a purge or checkpoint refused because the log fails) records the failure in the database; from then on
   * appends and purges throw {@link AuditException.Reason#TAMPERED} — in every process and after a restart — until
   * {@link #acknowledgeTampering(String)}. A torn checkpoint file (a crash artifact, repaired with
   * {@link CheckpointSinks#repairTornTail}) does not make the store read-only, nor does a failure at or before the last
   * acknowledgement (the same evidence, already acknowledged).
   *
   * @return the recorded failure (seq, problem, detail; counts are 0), or empty while appends are accepted
   * @throws AuditException on storage failure
   */
  Optional<VerificationResult> tamperingDetected() throws AuditException;

  /**
   * The host's explicit decision to resume appending after a failed verification: appends a chained, MACed
   * {@code audit.tampering_acknowledged} entry (level SECURITY) naming the reason and the failure it acknowledges, and
   * clears the read-only state in the same transaction. The evidence itself is left as it is, so a later verification
   * still reports it; failures at or before the acknowledgement entry do not make the store read-only again, a failure
   * after it does. Keep secrets out of {@code reason}: it is stored in clear.
   *
   * @param reason why the host resumes (who investigated, ticket id), 1..1000 characters
   * @return the acknowledgement entry
   * @throws AuditException on storage failure
   * @throws IllegalArgumentException if the reason is blank or too long
   * @throws IllegalStateException if the store is not read-only (nothing to acknowledge)
   */
  default AuditEntry acknowledgeTampering(String reason) throws AuditException {
    return acknowledgeTampering(reason, "system");
  }

  /**
   * {@link #acknowledgeTampering(String)} naming who acknowledged: the entry's actor is {@code actor} instead of
   * {@code system} (e.g. the operator's account), so the decision to resume is attributable in the chain itself.
   *
   * @param reason why the host resumes (ticket id, what was investigated), 1..1000 characters
   * @param actor who acknowledges, 1..256 characters, not blank
   * @return the acknowledgement entry
   * @throws AuditException on storage failure
   * @throws IllegalArgumentException if the reason or the actor is blank or too long
   * @throws IllegalStateException if the store is not read-only (nothing to acknowledge)
   */
  AuditEntry acknowledgeTampering(String reason, String actor) throws AuditException;

  /**
   * Whether a checkpoint sink and signing key were configured, i.e. whether {@link #checkpoint()} can be called.
   *
   * @return true when checkpoints are enabled
   */
  boolean checkpointsConfigured();

  /**
   * Verifies the log against the existing checkpoints, then signs the verified head and appends the checkpoint to the
   * configured sink. Nothing is signed over a log that fails (a fork, a rollback, a truncation, tampering), nor when the
   * sink holds no checkpoint while the log has entries (the file was deleted — or never started: see
   * {@link #startCheckpoints()}). A new log with a sink gets its first checkpoint (seq 0) when it is created.
   *
   * @return the checkpoint written
   * @throws AuditException {@link AuditException.Reason#VERIFICATION_FAILED} (with the result) when the log fails,
   *     {@link AuditException.Reason#CHECKPOINT_FILE_TORN} when the checkpoint file must be repaired first, or when
   *     signing or writing failed
   * @throws IllegalStateException if no checkpoint sink and key were configured
   */
  Checkpoint checkpoint() throws AuditException;

  /**
   * Starts checkpoints for a log that has entries but no checkpoint yet (a sink configured for the first time, or a
   * replaced checkpoint file): verifies the chain on its own and signs its head into the empty sink. A deliberate,
   * documented step — {@link #checkpoint()} refuses to do this silently, because a deleted checkpoint file looks the
   * same.
   *
   * @return the checkpoint written
   * @throws AuditException {@link AuditException.Reason#CHECKPOINT_STATE} if the sink already holds checkpoints,
   *     {@link AuditException.Reason#VERIFICATION_FAILED} if the chain fails, or on storage failure
   * @throws IllegalStateException if no checkpoint sink and key were configured
   */
  Checkpoint startCheckpoints() throws AuditException;

  /**
   * Commits pending appends, stops the writer and closes the database. Idempotent.
   */
  @Override
  void close();
}
