/** The {@code secureyeoman} command-line tool. */
module dev.secureyeoman.cli {
  requires dev.secureyeoman.core;
  requires dev.secureyeoman.audit;
  requires dev.secureyeoman.auth;
  requires dev.secureyeoman.sandbox;
  requires dev.secureyeoman.integrations;
  requires dev.secureyeoman.release;
  requires info.picocli;

  exports dev.secureyeoman.cli;

  opens dev.secureyeoman.cli to
      info.picocli;
}
