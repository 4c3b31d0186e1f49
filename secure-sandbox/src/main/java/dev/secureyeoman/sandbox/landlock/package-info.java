/**
 * Landlock: kernel-enforced "which binaries may run" and "where may this thread write", for the parts of a sandbox
 * seccomp cannot express (paths are pointers seccomp cannot read).
 *
 * <pre>{@code
 * ExecAllowlist allow = ExecAllowlist.builder()
 *     .allowExecute(Path.of("/usr/bin/python3"))
 *     .allowWrite(workspace)
 *     .build();
 * LandlockStatus status = allow.applyToCurrentThread(); // dedicated platform thread, then start the child
 * }</pre>
 *
 * <p>Rules are thread-scoped and inherited by children; they cannot be removed. See
 * {@link dev.secureyeoman.sandbox.landlock.ExecAllowlist} for guarantees and non-goals.
 */
@NullMarked
package dev.secureyeoman.sandbox.landlock;

import org.jspecify.annotations.NullMarked;
