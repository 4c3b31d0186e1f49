/** SecureYeoman auth: accounts, password hashing, sessions, tokens and two-factor authentication. */
module dev.secureyeoman.auth {
  requires transitive org.jspecify; // @NullMarked/@Nullable appear in the API
  requires transitive dev.secureyeoman.core;
  requires transitive dev.secureyeoman.audit;
  requires transitive java.sql;
  requires org.slf4j;
  requires org.bouncycastle.provider; // (issue 20) resolves it for core's Argon2id, whose `requires static` does not
  requires org.xerial.sqlitejdbc;
  requires static com.zaxxer.hikari; // optional: only PostgreSQL storage loads it
  requires com.nimbusds.jose.jwt;
  requires io.github.bucket4j.core;
  requires com.google.zxing;
  requires com.google.zxing.javase;
  requires java.desktop;

  exports dev.secureyeoman.auth;
  exports dev.secureyeoman.auth.totp;
}
