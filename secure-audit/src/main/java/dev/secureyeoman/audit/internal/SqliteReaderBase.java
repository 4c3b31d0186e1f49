package dev.secureyeoman.audit.internal;

import dev.secureyeoman.audit.AuditEntry;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditQuery;
import dev.secureyeoman.audit.AuditReader;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.audit.VerifyOptions;
import java.io.Writer;
import java.util.List;
import java.util.Optional;

/** The read side shared by the store and the read-only reader: every read goes to one {@link SqliteReads}. */
abstract class SqliteReaderBase implements AuditReader {

  /** The reads of this store or reader. */
  abstract SqliteReads reads();

  @Override
  public Optional<String> logId() throws AuditException {
    return reads().logId();
  }

  @Override
  public Optional<AuditEntry> head() throws AuditException {
    return reads().head();
  }

  @Override
  public List<AuditEntry> query(AuditQuery query) throws AuditException {
    return reads().query(query);
  }

  @Override
  public List<AuditEntry> search(String text, int limit) throws AuditException {
    return reads().search(text, limit);
  }

  @Override
  public VerificationResult verify(VerifyOptions options) throws AuditException {
    return reads().verify(options);
  }

  @Override
  public long exportJsonl(Writer out) throws AuditException {
    return reads().exportJsonl(out);
  }
}
