/**
 * SecureYeoman core: secret handling, the encrypted envelope, configuration loading and framework-neutral web policies.
 *
 * <p>Only API packages are exported; {@code ..internal} packages stay private to this module. The configuration
 * package is opened to Jackson and Hibernate Validator, which bind and validate its records reflectively.
 */
module dev.secureyeoman.core {
  requires transitive org.jspecify; // @NullMarked/@Nullable appear in the API
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

  opens dev.secureyeoman.core.config to
      com.fasterxml.jackson.databind,
      org.hibernate.validator;
}
