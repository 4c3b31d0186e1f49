/**
 * Safe handling of media received from chat platforms.
 *
 * <p>An adapter turns a platform's attachment reference into a {@link dev.secureyeoman.integrations.media.MediaRequest}
 * and calls {@link dev.secureyeoman.integrations.media.MediaHandler#download(MediaRequest)}. The result is a
 * {@link dev.secureyeoman.integrations.media.MediaHandle} (a checked, scanned file in a private directory, deleted on
 * close) or a {@link dev.secureyeoman.integrations.media.MediaRejectedException} with a typed reason and nothing left on
 * disk. {@link dev.secureyeoman.integrations.media.MediaPolicy} fixes the cap (10 MiB by default), the hosts allowed per
 * platform and the other limits; {@link dev.secureyeoman.integrations.media.ContentScanner} is the scanning SPI, with
 * {@link dev.secureyeoman.integrations.media.ClamdScanner} as its clamd implementation.
 *
 * <p>See {@code docs/integrations.md} for the policy, the scanner setup and the threat model.
 */
@NullMarked
package dev.secureyeoman.integrations.media;

import org.jspecify.annotations.NullMarked;
