package dev.secureyeoman.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One in-process invocation of the CLI, as the CLI tests see it: exit code, stdout and stderr.
 *
 * @param code the exit code
 * @param out what was written to stdout
 * @param err what was written to stderr
 */
record Run(int code, String out, String err) {

  /** Runs {@link SecureYeomanCli#run} with captured streams. */
  static Run of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SecureYeomanCli.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }
}
