package dev.secureyeoman.sandbox;

/** The seccomp profile a policy asks for (see {@link dev.secureyeoman.sandbox.seccomp.SeccompProfiles}). */
public enum SeccompProfile {
  /**
   * {@link dev.secureyeoman.sandbox.seccomp.SeccompProfiles#defaultAllowList(java.util.Set)}: the strict default. No
   * {@code ptrace}, no {@code process_vm_*}, no {@code modify_ldt}; sockets limited to AF_INET/AF_INET6/AF_NETLINK, plus
   * AF_UNIX when {@link SandboxPolicy#unixSockets()}.
   */
  STRICT,
  /**
   * {@link dev.secureyeoman.sandbox.seccomp.SeccompProfiles#dockerCompatible()}: Docker's default profile for a process
   * without capabilities, for debuggers, tracers and programs that need AF_UNIX or other socket families.
   */
  DOCKER_COMPATIBLE
}
