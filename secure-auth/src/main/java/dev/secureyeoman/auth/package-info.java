/**
 * Accounts, passwords, sessions and tokens.
 *
 * <ul>
 *   <li>{@link dev.secureyeoman.auth.AuthService} (built with {@link dev.secureyeoman.auth.AuthService#builder()}): login
 *       with remember-me, MFA completion, refresh-token rotation, logout, access-token authentication, admin password
 *       reset, TOTP enrollment. State persists through a {@link javax.sql.DataSource}, by default SQLite from {@link
 *       dev.secureyeoman.auth.AuthDataSources#sqlite}.
 *   <li>{@link dev.secureyeoman.auth.AuthSettings}: lifetimes, throttling, password policy, Argon2id and TOTP parameters.
 *   <li>{@link dev.secureyeoman.auth.PasswordHasher}: Argon2id with PHC strings; {@link
 *       dev.secureyeoman.auth.PasswordPolicy}: length bounds (default minimum 32) and an optional blocklist.
 * </ul>
 *
 * <h2>Security guarantees</h2>
 *
 * Refresh tokens, MFA challenges and recovery codes are stored only as HMACs; TOTP secrets are stored encrypted with
 * associated data bound to the user id. A password reset or "log out everywhere" bumps a persisted per-user token version
 * so every earlier token dies, also after a restart. Login errors do not reveal whether a user exists. Every auth event
 * goes to the injected {@link dev.secureyeoman.audit.AuditSink}; if it fails the operation fails.
 *
 * <h2>Non-goals</h2>
 *
 * Multi-node cache coherence (revocations are enforced from in-process caches plus the database; a second process sees a
 * revocation only for refresh and after restart), OAuth/OIDC flows, WebAuthn.
 */
package dev.secureyeoman.auth;
