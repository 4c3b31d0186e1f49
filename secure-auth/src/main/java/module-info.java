/** SecureYeoman auth: accounts, password hashing, sessions, tokens and two-factor authentication. */
module dev.secureyeoman.auth {
  requires transitive dev.secureyeoman.core;
  requires transitive dev.secureyeoman.audit;
  requires org.slf4j;

  exports dev.secureyeoman.auth;
}
