/**
 * Running untrusted commands under kernel-enforced isolation.
 *
 * <p>{@link dev.secureyeoman.sandbox.SandboxBackend} names the isolation mechanisms the runner can use, in the order it
 * prefers them. Reports only ever claim what the kernel actually applied.
 */
package dev.secureyeoman.sandbox;
