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
  requires info.picocli;

  opens dev.secureyeoman.cli to
      info.picocli;
}
