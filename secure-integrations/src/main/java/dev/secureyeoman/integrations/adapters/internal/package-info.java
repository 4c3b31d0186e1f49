/**
 * Implementation of {@code dev.secureyeoman.integrations.adapters}: not exported, not API.
 *
 * <p>Non-null by default ({@code @NullMarked}), checked by NullAway in the build.
 */
@NullMarked
package dev.secureyeoman.integrations.adapters.internal;

import org.jspecify.annotations.NullMarked;
