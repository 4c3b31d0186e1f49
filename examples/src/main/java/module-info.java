/** Example applications wiring the SecureYeoman modules. */
module dev.secureyeoman.examples {
  requires dev.secureyeoman.core;
  requires dev.secureyeoman.audit;
  requires dev.secureyeoman.auth;
  requires dev.secureyeoman.sandbox;
  requires dev.secureyeoman.integrations;
  requires jdk.httpserver;
  requires java.net.http;
  requires org.slf4j;

  exports dev.secureyeoman.examples;
}
