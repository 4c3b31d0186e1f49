/** SecureYeoman audit: a tamper-evident, retention-aware audit log. */
module dev.secureyeoman.audit {
  requires transitive dev.secureyeoman.core;
  requires org.slf4j;

  exports dev.secureyeoman.audit;
}
