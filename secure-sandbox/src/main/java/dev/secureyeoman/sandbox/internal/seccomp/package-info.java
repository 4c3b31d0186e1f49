/**
 * Implementation of {@code dev.secureyeoman.sandbox}: not exported, not API.
 *
 * <p>Non-null by default ({@code @NullMarked}), checked by NullAway in the build.
 */
@NullMarked
package dev.secureyeoman.sandbox.internal.seccomp;

import org.jspecify.annotations.NullMarked;
