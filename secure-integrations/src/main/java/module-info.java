/** SecureYeoman integrations: plugins, chat platform adapters, media handling and conversation context. */
module dev.secureyeoman.integrations {
  requires transitive dev.secureyeoman.core;
  requires transitive dev.secureyeoman.audit;
  requires org.slf4j;
  requires java.sql;
  requires org.xerial.sqlitejdbc;
  requires com.github.benmanes.caffeine;

  exports dev.secureyeoman.integrations;
  exports dev.secureyeoman.integrations.media;
  exports dev.secureyeoman.integrations.conversation;
}
