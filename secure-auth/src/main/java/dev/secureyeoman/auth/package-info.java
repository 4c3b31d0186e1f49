/**
 * Accounts, passwords and sessions.
 *
 * <p>{@link dev.secureyeoman.auth.PasswordPolicy} decides which new passwords are acceptable: length bounds only (default
 * minimum 32 as the specification asks), no composition rules, optional blocklist.
 */
package dev.secureyeoman.auth;
