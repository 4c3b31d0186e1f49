package dev.secureyeoman.sandbox.seccomp;

import dev.secureyeoman.sandbox.internal.seccomp.Syscalls;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * CPU architectures a {@link SeccompFilter} can be compiled for. Syscall numbers differ between them, so rules name
 * syscalls and the compiler resolves the names per architecture from tables generated from the kernel's UAPI headers.
 *
 * <p>Any other architecture value seen by the kernel (for example {@code i386} system calls made through
 * {@code int 0x80} on an x86_64 host) fails the architecture check and gets the filter's bad-architecture action.
 */
public enum Arch {
  /** 64-bit x86 ({@code AUDIT_ARCH_X86_64}). The x32 ABI (syscall bit 30) is treated as a foreign architecture. */
  X86_64(0xC000003E, "x86_64"),
  /** 64-bit ARM ({@code AUDIT_ARCH_AARCH64}). */
  AARCH64(0xC00000B7, "aarch64");

  private final int auditArch;
  private final String displayName;

  Arch(int auditArch, String displayName) {
    this.auditArch = auditArch;
    this.displayName = displayName;
  }

  /**
   * The {@code AUDIT_ARCH_*} value the kernel stores in {@code seccomp_data.arch}.
   *
   * @return the audit architecture constant
   */
  public int auditArch() {
    return auditArch;
  }

  /**
   * Looks up a syscall number.
   *
   * @param syscall the syscall name as in the kernel headers without {@code __NR_}, e.g. {@code openat}
   * @return the number, or empty when this architecture has no such syscall (e.g. {@code open} on aarch64)
   */
  public OptionalInt syscallNumber(String syscall) {
    return Syscalls.number(this, syscall);
  }

  /**
   * Looks up a syscall name.
   *
   * @param number the syscall number
   * @return the name, or empty when the number is unused in the generated table
   */
  public Optional<String> syscallName(int number) {
    return Syscalls.name(this, number);
  }

  /**
   * Finds the architecture for an {@code AUDIT_ARCH_*} value.
   *
   * @param auditArch the value from {@code seccomp_data.arch}
   * @return the architecture, or empty when it is not one this SDK compiles for
   */
  public static Optional<Arch> fromAuditArch(int auditArch) {
    for (Arch a : values()) {
      if (a.auditArch == auditArch) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /**
   * The architecture of the running JVM.
   *
   * @return the architecture, or empty on any architecture other than x86_64 and aarch64
   */
  public static Optional<Arch> current() {
    String osArch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    switch (osArch) {
      case "amd64":
      case "x86_64":
        return Optional.of(X86_64);
      case "aarch64":
      case "arm64":
        return Optional.of(AARCH64);
      default:
        return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return displayName;
  }
}
