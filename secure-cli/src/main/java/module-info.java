/**
 * The {@code secureyeoman} command-line tool.
 *
 * <p>An application, not a library: it exports nothing. The command package is only opened to picocli, which reads
 * the {@code @Command}/{@code @Option} annotations and sets the annotated fields reflectively; the launcher runs the
 * main class without an export.
 */
module dev.secureyeoman.cli {
  requires dev.secureyeoman.core;
  requires dev.secureyeoman.audit;
  requires dev.secureyeoman.auth;
  requires dev.secureyeoman.sandbox;
  requires dev.secureyeoman.integrations;
  requires dev.secureyeoman.release;
  requires java.logging;
  requires info.picocli;
  // (issue 20) resolve secure-core's optional libraries: config parsing and passphrase keys
  requires org.yaml.snakeyaml;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires jakarta.validation;
  requires org.hibernate.validator;
  requires org.bouncycastle.provider;

  opens dev.secureyeoman.cli to
      info.picocli;
}
