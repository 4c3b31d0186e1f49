package dev.secureyeoman.audit;

/** Severity of an audit event. */
public enum AuditLevel {
  /** Diagnostic detail. */
  DEBUG,
  /** Normal operation (a login, a config change). */
  INFO,
  /** Something a reviewer should look at (a failed login, a throttled client). */
  WARN,
  /** A failure or a detected attack (refresh-token reuse, tampering). */
  ERROR,
  /** A security-relevant action by the system itself (retention purge, key rotation). */
  SECURITY
}
