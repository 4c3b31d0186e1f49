/**
 * TOTP two-factor authentication building blocks.
 *
 * <ul>
 *   <li>{@link dev.secureyeoman.auth.totp.TotpService}: RFC 4226 HOTP and RFC 6238 TOTP (SHA1/256/512, 6/8 digits, 64-bit
 *       steps), constant-time verification over a window that returns the matched step.
 *   <li>{@link dev.secureyeoman.auth.totp.OtpAuthUri} and {@link dev.secureyeoman.auth.totp.QrCodes}: enrollment URI with
 *       RFC 3986 encoding and its QR code.
 *   <li>{@link dev.secureyeoman.auth.totp.TotpEnrollment}, {@link dev.secureyeoman.auth.totp.RecoveryCodes}: values the
 *       {@link dev.secureyeoman.auth.AuthService} returns during setup.
 * </ul>
 *
 * <h2>Security guarantees</h2>
 *
 * Replay protection, encrypted storage of secrets (AAD bound to the user id), single-use recovery codes and rate limiting
 * are enforced by {@link dev.secureyeoman.auth.AuthService}, which persists the last accepted step and updates it with an
 * atomic compare-and-set. The classes here are stateless.
 */
@NullMarked
package dev.secureyeoman.auth.totp;

import org.jspecify.annotations.NullMarked;
