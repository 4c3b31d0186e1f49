package dev.secureyeoman.cli;

/**
 * Thrown by a subcommand when its arguments are inconsistent in a way picocli cannot check (for example two mutually
 * exclusive key sources resolved from the environment). Reported as {@code error: ...} with exit code 2.
 */
public final class CliUsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is wrong with the invocation
   */
  public CliUsageException(String message) {
    super(message);
  }
}
