/**
 * SecureYeoman core: secret handling, the encrypted envelope, configuration loading and framework-neutral web policies.
 *
 * <p>Only API packages are exported; {@code dev.secureyeoman.core.internal} is exported only to the sibling module
 * that needs it (secure-auth). The configuration
 * package is opened to Jackson and Hibernate Validator, which bind and validate its records reflectively.
 */
@SuppressWarnings("module") // the qualified export names dev.secureyeoman.auth, which is compiled after core
module dev.secureyeoman.core {
  requires transitive org.jspecify; // @NullMarked/@Nullable appear in the API
  requires org.slf4j;
  // the Bean Validation annotations on SecurityConfig's records are API (0.1 MB, no dependencies): always present
  requires transitive jakarta.validation;
  // (issue 20) optional libraries (<optional> in the POM): `requires static`, so a host that uses only the envelope,
  // SecretBytes or SecurityConfig's records resolves none of them. They are read when the application resolves them
  // (its own `requires`, or --add-modules); each feature checks for them first and names what is missing
  // (MissingDependencyException): Argon2id → Bouncy Castle; EncryptedConfigLoader parsing → SnakeYAML, Jackson,
  // Hibernate Validator; KillSwitch → Jackson.
  requires static org.bouncycastle.provider;
  requires static org.yaml.snakeyaml;
  requires static com.fasterxml.jackson.databind;
  requires static com.fasterxml.jackson.datatype.jsr310;
  requires static org.hibernate.validator;

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
