/**
 * Running untrusted commands under kernel-enforced isolation.
 *
 * <p>{@link dev.secureyeoman.sandbox.NamespaceRunner} runs a command described by an immutable {@link
 * dev.secureyeoman.sandbox.SandboxPolicy} in Linux namespaces (bubblewrap, or util-linux {@code unshare}), layered with
 * the default seccomp allow-list ({@link dev.secureyeoman.sandbox.seccomp}) and, where it is the available mechanism,
 * Landlock ({@link dev.secureyeoman.sandbox.landlock}). The outcome is a {@link dev.secureyeoman.sandbox.SandboxResult}
 * whose {@link dev.secureyeoman.sandbox.SandboxReport} lists only what the kernel actually applied; {@link
 * dev.secureyeoman.sandbox.SandboxCapabilities} says what the host offers. {@link
 * dev.secureyeoman.sandbox.SandboxSettings} adapts the {@code security.sandbox} configuration.
 *
 * <h2>Security guarantees</h2>
 *
 * See {@link dev.secureyeoman.sandbox.NamespaceRunner} and {@code docs/sandbox.md}, which also lists the known gaps. The
 * runner never builds a shell string from policy values: its only scripts are constants that receive values as
 * positional parameters.
 */
@NullMarked
package dev.secureyeoman.sandbox;

import org.jspecify.annotations.NullMarked;
