/**
 * Typed, validated configuration from plain or encrypted YAML.
 *
 * <ul>
 *   <li>{@link dev.secureyeoman.core.config.EncryptedConfigLoader}: file → (decrypt) → bounded YAML → records →
 *       Hibernate Validator. {@code loader.load(path)} returns the {@code security:} section as
 *       {@link dev.secureyeoman.core.config.SecurityConfig}; {@code loader.load(path, "app", MyConfig.class)} binds a host
 *       section with the same rules.
 *   <li>{@link dev.secureyeoman.core.config.SecurityConfig} with nested records {@code Audit}, {@code Auth}
 *       ({@code LoginRateLimit}, {@code Totp}), {@code Http} ({@code RateLimit}, {@code Cors}) and {@code Sandbox}:
 *       accessors are the camelCase of the YAML keys ({@code audit().retentionDays()} for
 *       {@code security.audit.retention_days}); every key has a default.
 *   <li>{@link dev.secureyeoman.core.config.ConfigException}: every problem with its YAML path,
 *       e.g. {@code security.audit.retention_days: must be greater than 0}.
 * </ul>
 *
 * <h2>Security guarantees</h2>
 *
 * SnakeYAML composes nodes only (no object construction, no custom tags); document size, aliases, depth and node count
 * are bounded; duplicate keys, merge keys and unknown keys are rejected. A file named {@code *.enc.yaml} or
 * {@code *.encrypted.yaml} must hold an authenticated envelope. Messages carry paths and positions, never values.
 *
 * <h2>Non-goals</h2>
 *
 * No environment-variable interpolation, no includes, no hot reload.
 */
@NullMarked
package dev.secureyeoman.core.config;

import org.jspecify.annotations.NullMarked;
