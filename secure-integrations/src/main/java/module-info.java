/**
 * SecureYeoman integrations: the integration SPI, the plugin loader and manager, chat platform adapters, media handling
 * and conversation context.
 *
 * <p>Exports the SPI ({@code dev.secureyeoman.integrations}) that plugins compile against and the plugin host API
 * ({@code dev.secureyeoman.integrations.plugin}), the Telegram, Discord and Slack adapters ({@code .telegram}, {@code .discord},
 * {@code .slack}, with shared options in {@code .adapters}) and the message router ({@code .router}).
 */
module dev.secureyeoman.integrations {
  requires transitive org.jspecify; // @NullMarked/@Nullable appear in the API
  requires transitive dev.secureyeoman.core;
  requires transitive dev.secureyeoman.audit;
  requires transitive org.slf4j;
  requires org.hibernate.validator;
  // (issue 20) core's EncryptedConfigLoader parses plugin configuration: these resolve its optional (`requires static`)
  // libraries; KillSwitch needs databind
  requires jakarta.validation;
  requires org.yaml.snakeyaml;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires java.sql;
  requires org.xerial.sqlitejdbc;
  requires com.github.benmanes.caffeine;
  requires com.fasterxml.jackson.databind;
  requires transitive java.net.http;

  exports dev.secureyeoman.integrations;
  exports dev.secureyeoman.integrations.plugin;
  exports dev.secureyeoman.integrations.media;
  exports dev.secureyeoman.integrations.conversation;
  exports dev.secureyeoman.integrations.adapters;
  exports dev.secureyeoman.integrations.slack;
  exports dev.secureyeoman.integrations.telegram;
  exports dev.secureyeoman.integrations.discord;
  exports dev.secureyeoman.integrations.router;

  // adapter configuration records are bound by core's config loader (Jackson) and validated reflectively
  opens dev.secureyeoman.integrations.slack to com.fasterxml.jackson.databind, org.hibernate.validator;
  opens dev.secureyeoman.integrations.telegram to com.fasterxml.jackson.databind, org.hibernate.validator;
  opens dev.secureyeoman.integrations.discord to com.fasterxml.jackson.databind, org.hibernate.validator;

  uses dev.secureyeoman.integrations.IntegrationFactory;
}
