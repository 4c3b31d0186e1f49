package dev.secureyeoman.sandbox;

/** Resource limits ({@code setrlimit(2)}) a sandboxed command can be given; each maps to a {@code prlimit} option. */
public enum RlimitResource {
  /** {@code RLIMIT_AS}: address space in bytes (bounds memory a process can map). */
  ADDRESS_SPACE("--as"),
  /** {@code RLIMIT_CPU}: CPU time in seconds; the kernel sends SIGXCPU then SIGKILL. */
  CPU_SECONDS("--cpu"),
  /** {@code RLIMIT_NPROC}: processes of the sandbox's user (in its user namespace). Stops fork bombs. */
  PROCESSES("--nproc"),
  /** {@code RLIMIT_NOFILE}: open file descriptors. */
  OPEN_FILES("--nofile"),
  /** {@code RLIMIT_FSIZE}: largest file the command may write, in bytes. */
  FILE_SIZE("--fsize");

  private final String prlimitOption;

  RlimitResource(String prlimitOption) {
    this.prlimitOption = prlimitOption;
  }

  /**
   * Returns the util-linux {@code prlimit} option for this resource.
   *
   * @return for example {@code --as}
   */
  public String prlimitOption() {
    return prlimitOption;
  }
}
