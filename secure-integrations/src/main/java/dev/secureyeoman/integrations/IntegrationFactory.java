package dev.secureyeoman.integrations;

/**
 * What a plugin exports: a factory of {@link Integration} instances, named by the plugin descriptor's {@code factory}
 * key or listed in {@code META-INF/services/dev.secureyeoman.integrations.IntegrationFactory}.
 *
 * <p>Implementations must be public, non-abstract and have a public no-argument constructor that does no work beyond
 * field initialisation. {@link #create()} is called once per instance the host needs (first registration, every
 * restart, every configuration update), so it must be cheap and must return a new, uninitialised instance each time.
 */
@FunctionalInterface
public interface IntegrationFactory {

  /**
   * Version of this SPI ({@code major.minor}). A plugin declares the version it was compiled against as
   * {@code spi-version}; it loads when the major versions are equal and its minor version is not newer than this one.
   */
  String SPI_VERSION = "1.0";

  /**
   * Creates a new, uninitialised integration.
   *
   * @return the instance
   */
  Integration<?> create();
}
