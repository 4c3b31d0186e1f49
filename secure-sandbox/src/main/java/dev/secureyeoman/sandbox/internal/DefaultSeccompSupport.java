package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SeccompProfile;
import dev.secureyeoman.sandbox.seccomp.KernelSupport;
import dev.secureyeoman.sandbox.seccomp.SeccompFilter;
import dev.secureyeoman.sandbox.seccomp.SeccompProbe;
import dev.secureyeoman.sandbox.seccomp.SeccompProfiles;
import dev.secureyeoman.sandbox.seccomp.SocketDomain;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Seccomp programs from {@link SeccompProfiles}: the strict allow-list with {@code socket(AF_UNIX)} and datagram
 * {@code socketpair} denied unless the policy allows unix sockets, or the Docker-compatible profile (with AF_UNIX
 * removed when the policy says so). Each distinct choice is compiled once.
 */
public final class DefaultSeccompSupport implements SeccompSupport {
  private final KernelSupport kernel;
  private final ConcurrentMap<List<Object>, SeccompFilter> filters = new ConcurrentHashMap<>();
  private final ConcurrentMap<List<Object>, byte[]> programs = new ConcurrentHashMap<>();

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
    List<Object> key = List.of(policy.seccompProfile(), policy.unixSockets());
    return Optional.of(programs.computeIfAbsent(key, k -> bwrapFilter(policy).toBpf()).clone());
  }

  /** Under bwrap the network namespace decides what INET sockets reach; only AF_UNIX follows the policy. */
  private static SeccompFilter bwrapFilter(SandboxPolicy policy) {
    if (policy.seccompProfile() == SeccompProfile.STRICT) {
      EnumSet<SocketDomain> domains = EnumSet.allOf(SocketDomain.class);
      if (!policy.unixSockets()) {
        domains.remove(SocketDomain.UNIX);
      }
      return SeccompProfiles.defaultAllowList(domains);
    }
    SeccompFilter docker = SeccompProfiles.dockerCompatible();
    return policy.unixSockets() ? docker : SeccompProfiles.withoutUnixSockets(docker);
  }

  @Override
  public SeccompFilter filterFor(SandboxPolicy policy, Set<SocketDomain> domains) {
    EnumSet<SocketDomain> copy = domains.isEmpty() ? EnumSet.noneOf(SocketDomain.class) : EnumSet.copyOf(domains);
    List<Object> key = List.of(policy.seccompProfile(), copy);
    return filters.computeIfAbsent(
        key,
        k ->
            policy.seccompProfile() == SeccompProfile.STRICT
                ? SeccompProfiles.defaultAllowList(copy)
                : SeccompProfiles.restrictSockets(SeccompProfiles.dockerCompatible(), copy));
  }
}
