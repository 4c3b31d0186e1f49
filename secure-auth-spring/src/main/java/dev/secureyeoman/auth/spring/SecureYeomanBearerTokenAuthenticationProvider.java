package dev.secureyeoman.auth.spring;

import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthStorageException;
import org.springframework.security.authentication.AuthenticationServiceException;
import dev.secureyeoman.auth.InvalidTokenException;
import dev.secureyeoman.auth.Principal;
import java.time.Clock;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * Bearer-token authentication through {@code AuthService.authenticate}: signature (HS256 only), key id, type, issuer,
 * expiry, session revocation and the user's token version are all checked there, so a token revoked by {@code logout},
 * {@code logoutEverywhere} or a password reset is refused here too. The result is a {@link SecureYeomanAuthentication}
 * whose principal is secure-auth's {@link Principal}, with {@code ROLE_<role>} and {@code FACTOR_BEARER} authorities.
 *
 * <p>Plug it into Spring's resource-server support, which reads the {@code Authorization: Bearer} header and answers
 * {@code 401} with {@code WWW-Authenticate: Bearer error="invalid_token"}:
 *
 * <pre>{@code
 * AuthenticationManager bearer = new ProviderManager(SecureYeomanBearerTokenAuthenticationProvider.of(authService));
 * http.oauth2ResourceServer(rs -> rs.authenticationManagerResolver(request -> bearer));
 * }</pre>
 *
 * <p>Every rejection is the same {@link InvalidBearerTokenException} ("invalid token"), with no detail for the client;
 * secure-auth logs why. Thread-safe.
 */
public final class SecureYeomanBearerTokenAuthenticationProvider implements AuthenticationProvider {
  private final AuthService authService;
  private final Clock clock;

  private SecureYeomanBearerTokenAuthenticationProvider(AuthService authService, Clock clock) {
    this.authService = Objects.requireNonNull(authService, "authService");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Creates the provider.
   *
   * @param authService the service that issued the tokens
   * @return the provider
   */
  public static SecureYeomanBearerTokenAuthenticationProvider of(AuthService authService) {
    return new SecureYeomanBearerTokenAuthenticationProvider(authService, Clock.systemUTC());
  }

  /**
   * Creates the provider with a clock for the factor authority's issue time.
   *
   * @param authService the service that issued the tokens
   * @param clock the clock
   * @return the provider
   */
  public static SecureYeomanBearerTokenAuthenticationProvider of(AuthService authService, Clock clock) {
    return new SecureYeomanBearerTokenAuthenticationProvider(authService, clock);
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return BearerTokenAuthenticationToken.class.isAssignableFrom(authentication);
  }

  @Override
  public @Nullable Authentication authenticate(Authentication authentication) throws AuthenticationException {
    if (!(authentication instanceof BearerTokenAuthenticationToken bearer)) {
      return null;
    }
    Principal principal;
    try {
      principal = authService.authenticate(bearer.getToken());
    } catch (InvalidTokenException e) {
      throw new InvalidBearerTokenException(InvalidTokenException.MESSAGE, e);
    } catch (AuthStorageException e) {
      // not "invalid": the token cannot be checked right now (Spring answers this with a server error, not 401)
      throw new AuthenticationServiceException("token revocation state unavailable", e);
    }
    return new SecureYeomanAuthentication(
        principal,
        null,
        Authorities.of(principal, clock.instant(), FactorGrantedAuthority.BEARER_AUTHORITY),
        bearer.getDetails());
  }
}
