package dev.secureyeoman.auth.spring;

import com.nimbusds.jwt.SignedJWT;
import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthStorageException;
import dev.secureyeoman.auth.InvalidTokenException;
import dev.secureyeoman.auth.Principal;
import java.text.ParseException;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;

/**
 * A Spring {@link JwtDecoder} that accepts a token only if {@code AuthService.authenticate} does, so revocation (logout,
 * {@code logoutEverywhere}, password reset: the session and the per-user token version) applies exactly as in
 * secure-auth. It never verifies a signature on its own: there is no second, signature-only path that a revoked token
 * could take.
 *
 * <p>Use it where Spring expects a {@code JwtDecoder}: {@code http.oauth2ResourceServer(rs -> rs.jwt(jwt ->
 * jwt.decoder(decoder).jwtAuthenticationConverter(SecureYeomanJwtDecoder.authenticationConverter())))}, or as a
 * {@code JwtDecoder} bean for Spring Boot's resource-server auto-configuration. The resulting {@link Jwt} carries the
 * token's verified headers and claims, with {@code sub}, {@value #NAME_CLAIM}, {@value #ROLES_CLAIM}, {@value
 * #SESSION_CLAIM} and {@code exp} taken from the {@link Principal} that {@code authenticate} returned.
 *
 * <p>Every rejection is a {@link BadJwtException} "invalid token" (Spring answers {@code 401 invalid_token}); secure-auth
 * logs why. Prefer {@link SecureYeomanBearerTokenAuthenticationProvider} when handlers need secure-auth's {@link
 * Principal} (e.g. to call {@code logoutEverywhere}). Thread-safe.
 */
public final class SecureYeomanJwtDecoder implements JwtDecoder {

  /** Claim holding the user name. */
  public static final String NAME_CLAIM = "name";

  /** Claim holding the roles (a JSON array of strings). */
  public static final String ROLES_CLAIM = "roles";

  /** Claim holding the secure-auth session id. */
  public static final String SESSION_CLAIM = "sid";

  private final AuthService authService;

  /**
   * Creates the decoder.
   *
   * @param authService the service that issued the tokens
   */
  public SecureYeomanJwtDecoder(AuthService authService) {
    this.authService = Objects.requireNonNull(authService, "authService");
  }

  @Override
  public Jwt decode(String token) throws JwtException {
    Principal principal;
    SignedJWT parsed;
    Map<String, Object> claims = new LinkedHashMap<>();
    try {
      principal = authService.authenticate(token);
      parsed = SignedJWT.parse(token);
      parsed.getJWTClaimsSet().getClaims().forEach((k, v) -> claims.put(k, v instanceof Date d ? d.toInstant() : v));
    } catch (InvalidTokenException | ParseException e) {
      throw new BadJwtException(InvalidTokenException.MESSAGE, e);
    } catch (AuthStorageException e) {
      // a JwtException that is not a BadJwtException: Spring reports a service failure, not an invalid token
      throw new JwtException("token revocation state unavailable", e);
    }
    claims.put(JwtClaimNames.SUB, principal.userId());
    claims.put(NAME_CLAIM, principal.username());
    claims.put(ROLES_CLAIM, principal.roles().stream().sorted().toList());
    claims.put(SESSION_CLAIM, principal.sessionId());
    claims.put(JwtClaimNames.EXP, principal.expiresAt());
    Object iat = claims.get(JwtClaimNames.IAT);
    return new Jwt(
        token,
        iat instanceof Instant i ? i : null,
        principal.expiresAt(),
        parsed.getHeader().toJSONObject(),
        claims);
  }

  /**
   * Spring's {@link JwtAuthenticationConverter} set up for these tokens: authorities {@code ROLE_<role>} from {@value
   * #ROLES_CLAIM} (plus Spring's {@code FACTOR_BEARER}), name from {@value #NAME_CLAIM}.
   *
   * @return a new converter
   */
  public static JwtAuthenticationConverter authenticationConverter() {
    JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
    converter.setJwtGrantedAuthoritiesConverter(SecureYeomanJwtDecoder::roleAuthorities);
    converter.setPrincipalClaimName(NAME_CLAIM);
    return converter;
  }

  private static Collection<GrantedAuthority> roleAuthorities(Jwt jwt) {
    List<String> roles = jwt.getClaimAsStringList(ROLES_CLAIM);
    return Authorities.of(roles == null ? List.of() : roles, Instant.EPOCH);
  }
}
