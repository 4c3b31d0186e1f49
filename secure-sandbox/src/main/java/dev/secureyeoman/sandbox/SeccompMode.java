package dev.secureyeoman.sandbox;

/** Seccomp state the kernel applied to a sandboxed command, as reported in {@link SandboxReport}. */
public enum SeccompMode {
  /** No seccomp filter was installed by the runner. */
  NONE,
  /** A seccomp-bpf filter ({@code Seccomp: 2} in {@code /proc/self/status}) was installed before the command ran. */
  FILTER
}
