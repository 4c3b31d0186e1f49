/**
 * Implementation of {@code dev.secureyeoman.integrations.slack}: not exported, not API.
 *
 * <p>Non-null by default ({@code @NullMarked}), checked by NullAway in the build.
 */
@NullMarked
package dev.secureyeoman.integrations.slack.internal;

import org.jspecify.annotations.NullMarked;
