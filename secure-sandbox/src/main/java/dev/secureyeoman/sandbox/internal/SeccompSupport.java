package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.SandboxPolicy;
import java.util.Optional;

/** Source of the seccomp-bpf program the runner installs (bwrap {@code --seccomp}). */
public interface SeccompSupport {

  /**
   * Tells whether a program can be produced on this architecture.
   *
   * @return availability
   */
  boolean available();

  /**
   * Explains why {@link #available()} is false.
   *
   * @return the reason, empty when available
   */
  String unavailableReason();

  /**
   * Builds the classic-BPF program (array of {@code struct sock_filter}) for a policy.
   *
   * @param policy the policy (its {@code unixSockets} flag selects the AF_UNIX rule)
   * @return the program bytes, or empty when the policy asks for no seccomp
   */
  Optional<byte[]> programFor(SandboxPolicy policy);

  /**
   * A source that never produces a program.
   *
   * @param reason why seccomp is unavailable
   * @return the source
   */
  static SeccompSupport unavailable(String reason) {
    return new SeccompSupport() {
      @Override
      public boolean available() {
        return false;
      }

      @Override
      public String unavailableReason() {
        return reason;
      }

      @Override
      public Optional<byte[]> programFor(SandboxPolicy policy) {
        return Optional.empty();
      }
    };
  }
}
