/** The {@code secureyeoman} command-line tool. */
module dev.secureyeoman.cli {
  requires dev.secureyeoman.core;
  requires dev.secureyeoman.audit;
  requires dev.secureyeoman.auth;
  requires dev.secureyeoman.sandbox;
  requires dev.secureyeoman.integrations;
  requires dev.secureyeoman.release;
  requires info.picocli;
  // (issue 20) resolve secure-core's optional libraries: config parsing and passphrase keys
  requires org.yaml.snakeyaml;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires jakarta.validation;
  requires org.hibernate.validator;
  requires org.bouncycastle.provider;

  exports dev.secureyeoman.cli;

  opens dev.secureyeoman.cli to
      info.picocli;
}
