package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.seccomp.KernelSupport;
import dev.secureyeoman.sandbox.seccomp.SeccompProbe;
import dev.secureyeoman.sandbox.seccomp.SeccompProfiles;
import dev.secureyeoman.sandbox.seccomp.SocketDomain;
import java.util.EnumSet;
import java.util.Optional;

/**
 * Seccomp programs from {@link SeccompProfiles#defaultAllowList(java.util.Set)}: the Docker-like allow-list, with {@code
 * socket(AF_UNIX)} denied unless the policy allows unix sockets ({@code socketpair} stays allowed).
 */
public final class DefaultSeccompSupport implements SeccompSupport {
  private final KernelSupport kernel;
  // compiling the allow-list takes milliseconds: one program per AF_UNIX choice, compiled once
  private final java.util.concurrent.ConcurrentMap<Boolean, byte[]> programs =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Probes the kernel once. */
  public DefaultSeccompSupport() {
    this.kernel = SeccompProbe.probe();
  }

  @Override
  public boolean available() {
    return kernel.seccompFilter();
  }

  @Override
  public String unavailableReason() {
    return kernel.seccompFilter() ? "" : "seccomp filter mode unavailable: " + kernel.detail();
  }

  @Override
  public Optional<byte[]> programFor(SandboxPolicy policy) {
    if (!policy.seccomp() || !available()) {
      return Optional.empty();
    }
    byte[] program =
        programs.computeIfAbsent(
            policy.unixSockets(),
            unix -> {
              EnumSet<SocketDomain> domains = EnumSet.allOf(SocketDomain.class);
              if (!unix) {
                domains.remove(SocketDomain.UNIX);
              }
              return SeccompProfiles.defaultAllowList(domains).toBpf();
            });
    return Optional.of(program.clone());
  }
}
