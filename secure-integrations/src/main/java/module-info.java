/** SecureYeoman integrations: plugins, chat platform adapters, media handling and conversation context. */
module dev.secureyeoman.integrations {
  requires transitive dev.secureyeoman.core;
  requires transitive dev.secureyeoman.audit;
  requires org.slf4j;

  exports dev.secureyeoman.integrations;
}
