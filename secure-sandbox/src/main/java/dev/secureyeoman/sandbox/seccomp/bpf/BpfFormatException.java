package dev.secureyeoman.sandbox.seccomp.bpf;

import dev.secureyeoman.core.SecureYeomanException;

/** A byte sequence or instruction list is not a seccomp program the kernel would accept. */
public final class BpfFormatException extends SecureYeomanException {
  private static final long serialVersionUID = 1L;

  /** Index of the offending instruction, -1 for the whole program. */
  private final int instruction;

  /**
   * Creates the exception.
   *
   * @param instruction index of the offending instruction, or -1 for the program as a whole
   * @param message what is wrong
   */
  public BpfFormatException(int instruction, String message) {
    super(instruction < 0 ? message : String.format("instruction %04d: %s", instruction, message));
    this.instruction = instruction;
  }

  /**
   * Index of the offending instruction.
   *
   * @return the index, or -1 when the whole program is at fault (length, truncation)
   */
  public int instruction() {
    return instruction;
  }
}
