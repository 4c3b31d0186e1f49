/**
 * Not API: implementation shared between SecureYeoman modules. Exported only to named sibling modules ({@code
 * exports ... to}); hosts must not use it, and it changes without notice.
 *
 * <ul>
 *   <li>{@link dev.secureyeoman.core.internal.Argon2id}: the raw Argon2id KDF behind passphrase envelope keys and
 *       secure-auth's password hashes. It takes unbounded cost parameters, so it stays behind the validated {@code
 *       Argon2idParameters} (core) and {@code PasswordHashParameters} (auth).
 * </ul>
 */
package dev.secureyeoman.core.internal;
