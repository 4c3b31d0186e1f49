package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.seccomp.SeccompFilter;
import dev.secureyeoman.sandbox.seccomp.SocketDomain;
import java.util.Optional;
import java.util.Set;

/** Source of the seccomp filters the runner installs (bwrap {@code --seccomp}, the Landlock mode's thread filter). */
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
   * Builds the classic-BPF program (array of {@code struct sock_filter}) for a policy run under bwrap: its profile, with
   * AF_UNIX as the policy says and the other socket families left to the network namespace.
   *
   * @param policy the policy
   * @return the program bytes, or empty when the policy asks for no seccomp or seccomp is unavailable
   */
  Optional<byte[]> programFor(SandboxPolicy policy);

  /**
   * Builds the filter for a policy with explicit socket families (the Landlock mode has no network namespace).
   *
   * @param policy the policy (its profile)
   * @param domains families {@code socket(2)} may create under the strict profile
   * @return the filter
   */
  SeccompFilter filterFor(SandboxPolicy policy, Set<SocketDomain> domains);

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

      @Override
      public SeccompFilter filterFor(SandboxPolicy policy, Set<SocketDomain> domains) {
        throw new IllegalStateException("seccomp unavailable: " + reason);
      }
    };
  }
}
