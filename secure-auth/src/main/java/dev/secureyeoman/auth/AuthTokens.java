package dev.secureyeoman.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * Tokens returned by a successful login, MFA completion or refresh. {@link #toString()} never shows the tokens.
 *
 * @param accessToken signed JWT for {@code Authorization: Bearer}
 * @param accessTokenExpiresAt when the access token expires (never after the session)
 * @param refreshToken opaque single-use refresh token
 * @param sessionExpiresAt when the session ends (30 days with remember-me, 24 h otherwise); unchanged by refreshes
 * @param rememberMe whether the session was created with remember-me
 */
public record AuthTokens(
    String accessToken,
    Instant accessTokenExpiresAt,
    String refreshToken,
    Instant sessionExpiresAt,
    boolean rememberMe) {

  /** Token type for the HTTP {@code Authorization} header. */
  public static final String TOKEN_TYPE = "Bearer";

  /** Validates the fields. */
  public AuthTokens {
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(accessTokenExpiresAt, "accessTokenExpiresAt");
    Objects.requireNonNull(refreshToken, "refreshToken");
    Objects.requireNonNull(sessionExpiresAt, "sessionExpiresAt");
  }

  @Override
  public String toString() {
    return "AuthTokens[accessToken=██, accessTokenExpiresAt="
        + accessTokenExpiresAt
        + ", refreshToken=██, sessionExpiresAt="
        + sessionExpiresAt
        + ", rememberMe="
        + rememberMe
        + "]";
  }
}
