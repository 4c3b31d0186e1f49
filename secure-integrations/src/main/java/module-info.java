/**
 * SecureYeoman integrations: the integration SPI, the plugin loader and manager, chat platform adapters, media handling
 * and conversation context.
 *
 * <p>Exports the SPI ({@code dev.secureyeoman.integrations}) that plugins compile against and the plugin host API
 * ({@code dev.secureyeoman.integrations.plugin}).
 */
module dev.secureyeoman.integrations {
  requires transitive dev.secureyeoman.core;
  requires transitive dev.secureyeoman.audit;
  requires transitive org.slf4j;
  requires org.hibernate.validator;
  requires java.sql;
  requires org.xerial.sqlitejdbc;
  requires com.github.benmanes.caffeine;

  exports dev.secureyeoman.integrations;
  exports dev.secureyeoman.integrations.plugin;
  exports dev.secureyeoman.integrations.media;
  exports dev.secureyeoman.integrations.conversation;

  uses dev.secureyeoman.integrations.IntegrationFactory;
}
