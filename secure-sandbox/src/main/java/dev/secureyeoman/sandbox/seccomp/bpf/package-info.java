/**
 * Diagnostics for classic-BPF seccomp programs: {@link dev.secureyeoman.sandbox.seccomp.bpf.BpfProgram} (instructions,
 * bytes, a reference interpreter), {@link dev.secureyeoman.sandbox.seccomp.bpf.BpfDecoder} (decodes and verifies bytes
 * with the kernel's structural rules) and a disassembler ({@link
 * dev.secureyeoman.sandbox.seccomp.bpf.BpfProgram#disassemble()}).
 *
 * <p>Nothing here is needed to build or install a filter ({@link dev.secureyeoman.sandbox.seccomp.SeccompFilter} does
 * that). Use it to inspect a compiled program ({@link dev.secureyeoman.sandbox.seccomp.SeccompFilter#program()}), to
 * check a program produced elsewhere before handing it to {@code bwrap --seccomp}, or in tests that compare a filter's
 * decisions with an independent model. The listing format and the interpreter's handling of opcodes the kernel rejects
 * are diagnostics and may change between minor versions; the program bytes never do.
 *
 * <h2>Security notes</h2>
 * The interpreter evaluates programs the way the kernel's seccomp checker permits them (loads from {@code struct
 * seccomp_data} only, forward jumps, a final {@code ret}); it is an oracle for tests, not an enforcement mechanism.
 */
@NullMarked
package dev.secureyeoman.sandbox.seccomp.bpf;

import org.jspecify.annotations.NullMarked;
