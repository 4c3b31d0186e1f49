/**
 * SecureYeoman core: secret handling, the encrypted envelope, configuration loading and framework-neutral web policies.
 *
 * <p>Only API packages are exported; {@code dev.secureyeoman.core.internal} is exported only to the sibling module
 * that needs it (secure-auth). The configuration
 * package is opened to Jackson and Hibernate Validator, which bind and validate its records reflectively.
 */
@SuppressWarnings("module") // the qualified export names dev.secureyeoman.auth, which is compiled after core
module dev.secureyeoman.core {
  requires org.slf4j;
  requires org.bouncycastle.provider;
  requires org.yaml.snakeyaml;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires transitive jakarta.validation;
  requires org.hibernate.validator;

  exports dev.secureyeoman.core;
  exports dev.secureyeoman.core.crypto;
  exports dev.secureyeoman.core.config;
  exports dev.secureyeoman.core.killswitch;
  // not API: the raw Argon2id KDF (callers must bound its cost) is shared with secure-auth's password hasher only;
  // see docs/ARCHITECTURE.md "Internal packages"
  exports dev.secureyeoman.core.internal to
      dev.secureyeoman.auth;

  opens dev.secureyeoman.core.config to
      com.fasterxml.jackson.databind,
      org.hibernate.validator;
}
