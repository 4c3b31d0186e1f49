/**
 * Spring Security adapters for {@link dev.secureyeoman.auth.AuthService} and {@link
 * dev.secureyeoman.auth.PasswordHasher}. Nothing here is needed by hosts that do not use Spring.
 *
 * <ul>
 *   <li>{@link dev.secureyeoman.auth.spring.SecureYeomanPasswordEncoder}: a {@code PasswordEncoder} that writes and
 *       verifies secure-auth's Argon2id PHC strings with the hasher's bounds (cost limits read from a stored hash,
 *       constant-time comparison, bounded concurrent hashing); {@link
 *       dev.secureyeoman.auth.spring.SecureYeomanPasswordEncoder#delegating} puts it behind Spring's {@code
 *       DelegatingPasswordEncoder} under the id {@code argon2id}.
 *   <li>{@link dev.secureyeoman.auth.spring.SecureYeomanAuthenticationProvider}: username/password (and MFA
 *       completion) through {@code AuthService.login}, so throttling, audit, rehashing and 2FA stay in secure-auth;
 *       secure-auth's exceptions become Spring's ({@code BadCredentialsException}, a {@code LockedException} subtype
 *       for throttling, {@code InternalAuthenticationServiceException}); a required second factor is the distinct
 *       {@link dev.secureyeoman.auth.spring.MfaRequiredException}.
 *   <li>{@link dev.secureyeoman.auth.spring.SecureYeomanBearerTokenAuthenticationProvider} and {@link
 *       dev.secureyeoman.auth.spring.SecureYeomanJwtDecoder}: bearer tokens checked by {@code AuthService.authenticate}
 *       (signature, key id, expiry, session revocation and the per-user token version), never by a second,
 *       signature-only verifier.
 *   <li>{@link dev.secureyeoman.auth.spring.SecureYeomanAuthentication}: the successful result, whose principal is
 *       secure-auth's {@link dev.secureyeoman.auth.Principal}; roles become {@code ROLE_<role>} authorities.
 * </ul>
 *
 * <h2>Security guarantees</h2>
 *
 * A bearer token is accepted only if {@code AuthService.authenticate} accepts it at that moment: a token revoked by
 * {@code logout}, {@code logoutEverywhere} or a password reset is refused through both bridges. Passwords, tokens,
 * challenge tokens and codes never appear in {@code toString}, exception messages or serialized forms.
 *
 * <h2>Non-goals</h2>
 *
 * Spring's HTTP-session login state is not tied to secure-auth's sessions: a host that keeps the result of a form login
 * in an HTTP session does not see a later revocation of that secure-auth session. Use the tokens statelessly (see
 * {@code docs/auth-spring.md}). No OAuth2/OIDC flows, no {@code UserDetailsService}.
 */
@NullMarked
package dev.secureyeoman.auth.spring;

import org.jspecify.annotations.NullMarked;
