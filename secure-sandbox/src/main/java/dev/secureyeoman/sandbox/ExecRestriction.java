package dev.secureyeoman.sandbox;

/** How (and whether) the set of executables a sandboxed command may run was restricted. */
public enum ExecRestriction {
  /** Not restricted: every executable visible in the sandbox may be run. */
  NONE,
  /**
   * Mount view: the standard binary directories ({@code /usr/bin}, {@code /usr/sbin}, {@code /usr/local/bin}, …) are
   * replaced by empty tmpfs mounts holding only the allowed binaries. Executables outside those directories (for example
   * under {@code /usr/lib}) and files the command writes to its workspace or {@code /tmp} remain executable.
   */
  MOUNT_VIEW,
  /** Landlock {@code EXECUTE} rights: the kernel refuses {@code execve} of anything outside the allowlist. */
  LANDLOCK
}
