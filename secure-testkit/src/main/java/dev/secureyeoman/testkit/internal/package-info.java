/**
 * Implementation of {@code dev.secureyeoman.testkit}: not exported, not API.
 *
 * <p>Non-null by default ({@code @NullMarked}), checked by NullAway in the build.
 */
@NullMarked
package dev.secureyeoman.testkit.internal;

import org.jspecify.annotations.NullMarked;
