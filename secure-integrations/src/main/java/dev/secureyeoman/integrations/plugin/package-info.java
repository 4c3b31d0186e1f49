/**
 * Plugin hosting: load integration plugins from a directory and run them under a manager.
 *
 * <ul>
 *   <li>{@link dev.secureyeoman.integrations.plugin.PluginLoader} scans a directory, verifies each jar (symlinks,
 *       size, trust file, zip integrity, descriptor, SPI version, reserved and duplicate ids, factory) and loads it
 *       from a private shadow copy into its own child-first class loader, without running plugin code.
 *   <li>{@link dev.secureyeoman.integrations.plugin.IntegrationManager} registers, configures (bind + Bean Validation
 *       on register, update and start), starts, stops, updates and unregisters integrations, auditing every step.
 *   <li>{@link dev.secureyeoman.integrations.plugin.HotReloader} (development only) watches the directory and swaps
 *       changed jars, keeping the old version running when the new one is broken.
 * </ul>
 *
 * <p>Errors are {@link dev.secureyeoman.integrations.plugin.PluginException}s with a typed
 * {@link dev.secureyeoman.integrations.plugin.PluginException.Reason}. See {@code docs/plugins.md}.
 */
@NullMarked
package dev.secureyeoman.integrations.plugin;

import org.jspecify.annotations.NullMarked;
