/**
 * Seccomp-bpf: a pure-Java compiler from syscall rules to classic BPF, profiles, and installation through the kernel.
 * The decoder, verifier and disassembler for inspecting programs live in the diagnostics package {@link
 * dev.secureyeoman.sandbox.seccomp.bpf}.
 *
 * <pre>{@code
 * SeccompFilter filter = SeccompProfiles.defaultAllowListWithoutNetwork();
 * byte[] bpf = filter.toBpf();                          // for bwrap --seccomp FD
 * AppliedFilter applied = filter.applyToCurrentThread(); // on a dedicated platform thread, then start the child
 * }</pre>
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>Programs check the architecture first; foreign architectures (i386 {@code int 0x80}) and the x32 ABI are
 *       killed. Conditional jumps longer than 255 instructions are relaxed through {@code ja} trampolines, and every
 *       program is checked against the kernel's rules (at most 4096 instructions, jumps inside the program) before use.</li>
 *   <li>{@link dev.secureyeoman.sandbox.seccomp.SeccompFilter#validate()} refuses filters that would break the JVM or a
 *       child, e.g. {@code clone3} answered with EPERM instead of ENOSYS.</li>
 *   <li>Installation is confirmed with {@code PR_GET_SECCOMP}; platforms without seccomp raise
 *       {@link dev.secureyeoman.sandbox.seccomp.SeccompUnavailableException}, never a silent no-op.</li>
 * </ul>
 *
 * <h2>Non-goals and limits</h2>
 * Seccomp cannot inspect pointer arguments (paths, socket addresses, {@code clone3} flags); argument checks see
 * register values only, so anything behind a pointer can change between check and use. Deny-lists only know the
 * syscalls in the generated tables.
 */
@NullMarked
package dev.secureyeoman.sandbox.seccomp;

import org.jspecify.annotations.NullMarked;
