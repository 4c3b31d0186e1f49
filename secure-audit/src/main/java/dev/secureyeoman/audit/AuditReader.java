package dev.secureyeoman.audit;

import java.io.Writer;
import java.util.List;
import java.util.Optional;

/**
 * Read access to an audit log: query, search, export and verify. A reader opened with
 * {@link SqliteAuditStore#openReadOnly(AuditStoreOptions)} never writes: it does not create the database or its
 * directory, does not change file modes, does not create {@code -wal}/{@code -shm} files, never appends (not even a
 * key-rotation entry) and opens SQLite read-only — safe on an evidence copy. Every {@link AuditStore} is a reader too.
 *
 * <p>All methods are thread-safe.
 */
public interface AuditReader extends AutoCloseable {
  /** Longest text {@link #search(String, int)} accepts, in chars. */
  int MAX_SEARCH_CHARS = 1000;

  /** Most whitespace-separated words {@link #search(String, int)} accepts. */
  int MAX_SEARCH_WORDS = 32;

  /**
   * The id of this log: 16 random bytes (32 lowercase hex characters) created with the log, bound into the MAC of
   * every entry written since and named in every checkpoint, so a whole database of another log under the same key is
   * recognised as such.
   *
   * @return the id; empty for a log written only by a version of this library without log ids
   * @throws AuditException on storage failure
   */
  Optional<String> logId() throws AuditException;

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
   * matched literally (all words must occur); FTS query syntax in the input has no effect. U+0000 is removed. Text
   * longer than {@link #MAX_SEARCH_CHARS} or with more than {@link #MAX_SEARCH_WORDS} words is refused, never cut: a
   * search that ignored a word would return entries without it.
   *
   * @param text words to find
   * @param limit maximum results, newest first (1..10000)
   * @return matching entries
   * @throws AuditException on storage failure
   * @throws IllegalArgumentException if the text is too long, has too many words, or the limit is out of range
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
   * Verifies the chain in one read snapshot, streaming rows. When checkpoints come from the configured sink and the
   * sink holds none while the log has entries, the result is {@link VerificationResult.Problem#CHECKPOINTS_MISSING}.
   *
   * @param options progress callback, checkpoints, expected log id
   * @return the result
   * @throws AuditException on storage failure
   */
  VerificationResult verify(VerifyOptions options) throws AuditException;

  /**
   * Writes every entry, ascending, as one JSON object per line ({@link AuditEntry#toJson()}).
   *
   * @param out destination (not closed)
   * @return the number of entries written
   * @throws AuditException on storage or write failure
   */
  long exportJsonl(Writer out) throws AuditException;

  /** Releases the reader. Idempotent. */
  @Override
  void close();
}
