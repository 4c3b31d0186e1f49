/** Example applications wiring the SecureYeoman modules. */
module dev.secureyeoman.examples {
  requires dev.secureyeoman.core;
  requires transitive dev.secureyeoman.audit; // GatewayMain exposes AuditStore and VerificationResult
  requires transitive dev.secureyeoman.auth; // GatewayMain exposes AuthService
  requires dev.secureyeoman.sandbox;
  requires transitive dev.secureyeoman.integrations; // PluginHostMain exposes IntegrationManager
  requires jdk.httpserver;
  requires java.net.http;
  requires org.slf4j;
  requires java.logging; // quiets Hibernate Validator's JUL version line in main()

  exports dev.secureyeoman.examples;
}
