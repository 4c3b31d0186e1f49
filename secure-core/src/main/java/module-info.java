/**
 * SecureYeoman core: secret handling, the encrypted envelope, configuration loading and framework-neutral web policies.
 *
 * <p>Only API packages are exported; {@code ..internal} packages stay private to this module.
 */
module dev.secureyeoman.core {
  requires org.slf4j;

  exports dev.secureyeoman.core;
}
