/**
 * Implementation of {@code dev.secureyeoman.audit}: not exported, not API.
 *
 * <p>Non-null by default ({@code @NullMarked}), checked by NullAway in the build.
 */
@NullMarked
package dev.secureyeoman.audit.internal;

import org.jspecify.annotations.NullMarked;
