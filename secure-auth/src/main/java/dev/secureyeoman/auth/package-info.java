/**
 * Accounts, passwords, sessions and tokens.
 *
 * <ul>
 *   <li>{@link dev.secureyeoman.auth.AuthService} (built with {@link dev.secureyeoman.auth.AuthService#builder()}): login
 *       with remember-me, MFA completion, refresh-token rotation, logout, access-token authentication, password change,
 *       TOTP enrollment. State persists through a {@link javax.sql.DataSource}, by default SQLite from {@link
 *       dev.secureyeoman.auth.AuthDataSources#sqlite}.
 *   <li>{@link dev.secureyeoman.auth.UserAdministration} (from {@code AuthService.admin(principal)} or {@code
 *       operator(name)}): list, create, disable, enable, delete users, set roles, reset passwords (forcing a change),
 *       unlock or reset the second factor, list and revoke sessions.
 *   <li>{@link dev.secureyeoman.auth.AuthSettings}: lifetimes, throttling, password policy, Argon2id and TOTP parameters.
 *   <li>{@link dev.secureyeoman.auth.PasswordHasher}: Argon2id with PHC strings; {@link
 *       dev.secureyeoman.auth.PasswordPolicy}: length bounds (default minimum 32) and an optional blocklist.
 * </ul>
 *
 * <h2>Security guarantees</h2>
 *
 * Refresh tokens, MFA challenges and recovery codes are stored only as HMACs; TOTP secrets are stored encrypted with
 * associated data bound to the user id. A password change or reset, "log out everywhere" and every administrative
 * change that weakens access bump a persisted per-user token version so every earlier token dies, also after a restart.
 * Instances sharing one database see each other's revocations and signing keys within {@code
 * AuthSettings.revocationCheckInterval()} (default 1 s). Login errors do not reveal whether a user exists. Every state
 * change is audited before it commits; if the {@link dev.secureyeoman.audit.AuditSink} fails the change is rolled back.
 *
 * <h2>Non-goals</h2>
 *
 * OAuth/OIDC flows, WebAuthn, distributed login throttling (login buckets are per process; the second-factor failure
 * count is shared through the database).
 */
@NullMarked
package dev.secureyeoman.auth;

import org.jspecify.annotations.NullMarked;
