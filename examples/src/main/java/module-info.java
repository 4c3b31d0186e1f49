/** Example applications wiring the SecureYeoman modules. */
module dev.secureyeoman.examples {
  requires dev.secureyeoman.core;
  requires transitive dev.secureyeoman.audit; // GatewayMain exposes AuditStore and VerificationResult
  requires transitive dev.secureyeoman.auth; // GatewayMain exposes AuthService
  requires transitive dev.secureyeoman.web; // GatewayMain exposes SecurityMetrics
  requires dev.secureyeoman.sandbox;
  requires transitive dev.secureyeoman.integrations; // PluginHostMain exposes IntegrationManager
  requires org.eclipse.jetty.server;
  requires micrometer.registry.prometheus;
  requires com.fasterxml.jackson.databind;
  requires jakarta.validation;
  // (issue 20) resolve secure-core's optional libraries for the config loader (Bouncy Castle comes with auth)
  requires org.yaml.snakeyaml;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires org.hibernate.validator;
  requires jdk.httpserver;
  requires java.net.http;
  requires org.slf4j;
  requires com.zaxxer.hikari; // security.storage: postgres (secure-auth's optional pool)
  requires java.logging; // quiets Hibernate Validator's JUL version line in main()

  exports dev.secureyeoman.examples;

  // request-body records are bound by Jackson and validated by Hibernate Validator reflectively
  opens dev.secureyeoman.examples.gateway to
      com.fasterxml.jackson.databind,
      org.hibernate.validator;
}
