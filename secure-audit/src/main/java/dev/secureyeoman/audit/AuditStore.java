package dev.secureyeoman.audit;

import java.io.Writer;
import java.util.List;
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
 *       {@link Checkpoint} kept outside the database ({@link #checkpoint()}).
 * </ul>
 *
 * <p>Non-goals: confidentiality of entries (they are stored in clear; keep secrets out of events), and protection against
 * an attacker who holds the MAC key.
 *
 * <p>All methods are thread-safe. Appends from any number of threads are serialised by one writer into one chain.
 */
public interface AuditStore extends AuditSink, AutoCloseable {

  /**
   * Appends an event and returns once it is durably committed (WAL, {@code synchronous=FULL}).
   *
   * @param event the event
   * @return the committed entry with its seq and MAC
   * @throws AuditException if the store is closed or the commit failed
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
   * The newest committed entry.
   *
   * @return the head, or empty for an empty log
   * @throws AuditException on storage failure
   */
  Optional<AuditEntry> head() throws AuditException;

  /**
   * Reads entries matching filters, ascending by seq. Rows are returned as stored; call {@link #verify()} to check them.
   *
   * @param query filters and page
   * @return the entries
   * @throws AuditException on storage failure
   */
  List<AuditEntry> query(AuditQuery query) throws AuditException;

  /**
   * Full-text search over event, actor, message and metadata (FTS5). The text is split on whitespace and every word is
   * matched literally (all words must occur); FTS query syntax in the input has no effect.
   *
   * @param text words to find
   * @param limit maximum results, newest first (1..10000)
   * @return matching entries
   * @throws AuditException on storage failure
   * @throws IllegalStateException if the store was opened without full-text search
   */
  List<AuditEntry> search(String text, int limit) throws AuditException;

  /**
   * Verifies the whole chain, and checkpoints from the configured sink if any.
   *
   * @return the result
   * @throws AuditException on storage failure (not on tampering: that is a result)
   */
  default VerificationResult verify() throws AuditException {
    return verify(VerifyOptions.defaults());
  }

  /**
   * Verifies the chain in one read snapshot, streaming rows.
   *
   * @param options progress callback and checkpoints
   * @return the result
   * @throws AuditException on storage failure
   */
  VerificationResult verify(VerifyOptions options) throws AuditException;

  /**
   * Deletes old entries in one transaction and appends a chained {@code retention_purge} entry recording the range,
   * count, hash of the last deleted entry and the policy. The range is verified first; a log that fails verification is
   * not purged. Never deletes the head. Space is reclaimed afterwards.
   *
   * @param policy the limits
   * @return the number of entries deleted (0: nothing to do, no purge entry written)
   * @throws AuditException on storage failure, or if the range to delete fails verification
   */
  long enforceRetention(RetentionPolicy policy) throws AuditException;

  /**
   * Whether a checkpoint sink and signing key were configured, i.e. whether {@link #checkpoint()} can be called.
   *
   * @return true when checkpoints are enabled
   */
  boolean checkpointsConfigured();

  /**
   * Signs the current head and appends the checkpoint to the configured sink.
   *
   * @return the checkpoint written
   * @throws AuditException if signing or writing failed
   * @throws IllegalStateException if no checkpoint sink and key were configured
   */
  Checkpoint checkpoint() throws AuditException;

  /**
   * Writes every entry, ascending, as one JSON object per line ({@link AuditEntry#toJson()}).
   *
   * @param out destination (not closed)
   * @return the number of entries written
   * @throws AuditException on storage or write failure
   */
  long exportJsonl(Writer out) throws AuditException;

  /**
   * Commits pending appends, stops the writer and closes the database. Idempotent.
   */
  @Override
  void close();
}
