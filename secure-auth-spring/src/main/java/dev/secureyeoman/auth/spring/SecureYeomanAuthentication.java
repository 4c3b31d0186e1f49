package dev.secureyeoman.auth.spring;

import dev.secureyeoman.auth.AuthTokens;
import dev.secureyeoman.auth.Principal;
import java.io.Serial;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * A successful SecureYeoman authentication: its {@linkplain #getPrincipal() principal} is secure-auth's {@link
 * Principal} (pass it to {@code AuthService.logout}/{@code logoutEverywhere}/{@code resetPassword}), its {@linkplain
 * #getName() name} the user name, its authorities {@code ROLE_<role>} for each role plus Spring Security 7's factor
 * authorities ({@code FACTOR_PASSWORD}, {@code FACTOR_TOTP}, {@code FACTOR_RECOVERY_CODE}, {@code FACTOR_BEARER}) for how
 * it was proven.
 *
 * <p>{@link #tokens()} holds the access and refresh tokens only on the result of a password login or an MFA completion,
 * for the success handler to hand to the client. They are {@code transient}: never written when Spring serializes the
 * security context into an HTTP session, never shown by {@link #toString()}. {@link #getCredentials()} is always {@code
 * null}. The serialized form holds the principal's fields (ids, user name, roles, expiry) and the authorities only.
 *
 * <p>Immutable except for Spring's {@code setAuthenticated(false)} and {@code setDetails}.
 */
public final class SecureYeomanAuthentication extends AbstractAuthenticationToken {
  @Serial private static final long serialVersionUID = 1L;

  /** Prefix of the authority each secure-auth role becomes: role {@code admin} is {@code ROLE_admin}. */
  public static final String ROLE_PREFIX = "ROLE_";

  /** Factor authority of an MFA step completed with a TOTP code. */
  public static final String TOTP_AUTHORITY = "FACTOR_TOTP";

  /** Factor authority of an MFA step completed with a recovery code. */
  public static final String RECOVERY_CODE_AUTHORITY = "FACTOR_RECOVERY_CODE";

  private final String userId;
  private final String username;
  private final String[] roles;
  private final String sessionId;
  private final Instant expiresAt;
  private transient Principal principal;
  private final transient @Nullable AuthTokens tokens;

  SecureYeomanAuthentication(
      Principal principal,
      @Nullable AuthTokens tokens,
      Collection<? extends GrantedAuthority> authorities,
      @Nullable Object details) {
    super(authorities);
    Objects.requireNonNull(principal, "principal");
    this.principal = principal;
    this.userId = principal.userId();
    this.username = principal.username();
    this.roles = principal.roles().stream().sorted().toArray(String[]::new);
    this.sessionId = principal.sessionId();
    this.expiresAt = principal.expiresAt();
    this.tokens = tokens;
    setDetails(details);
    super.setAuthenticated(true);
  }

  /**
   * The authority of a secure-auth role, as every adapter of this package grants it. Roles are case-sensitive and kept
   * verbatim (no case folding), so the mapping is one-to-one: {@code hasRole("admin")} matches exactly the role {@code
   * admin} ({@link Principal#ROLE_ADMIN}).
   *
   * @param role a secure-auth role
   * @return {@code "ROLE_" + role}
   */
  public static String roleAuthority(String role) {
    return ROLE_PREFIX + Objects.requireNonNull(role, "role");
  }

  /**
   * Returns secure-auth's principal.
   *
   * @return the principal (rebuilt from the serialized fields after deserialization)
   */
  public Principal principal() {
    Principal p = principal;
    if (p == null) {
      p = new Principal(userId, username, Set.of(roles), sessionId, expiresAt);
      principal = p;
    }
    return p;
  }

  /**
   * Returns the tokens issued by the login or MFA step that produced this authentication.
   *
   * @return the tokens; empty for a bearer-token authentication and after deserialization
   */
  public Optional<AuthTokens> tokens() {
    return Optional.ofNullable(tokens);
  }

  @Override
  public Principal getPrincipal() {
    return principal();
  }

  /**
   * Always {@code null}: no password, token or code is kept once authenticated.
   *
   * @return {@code null}
   */
  @Override
  public @Nullable Object getCredentials() {
    return null;
  }

  @Override
  public String getName() {
    return username;
  }

  /**
   * Only {@code false} is accepted (Spring's contract): trust comes from the provider that built this object.
   *
   * @param authenticated must be {@code false}
   * @throws IllegalArgumentException for {@code true}
   */
  @Override
  public void setAuthenticated(boolean authenticated) {
    if (authenticated) {
      throw new IllegalArgumentException("cannot mark a SecureYeomanAuthentication as trusted; a provider creates it");
    }
    super.setAuthenticated(false);
  }

  /**
   * A builder holding this authentication's principal and tokens, used by Spring Security 7 to add the factor
   * authorities of an earlier authentication (multi-factor merging).
   *
   * @return a builder
   */
  @Override
  public Builder toBuilder() {
    return new Builder(this);
  }

  @Override
  public boolean equals(@Nullable Object obj) {
    return obj instanceof SecureYeomanAuthentication other
        && super.equals(obj)
        && sessionId.equals(other.sessionId)
        && expiresAt.equals(other.expiresAt)
        && Arrays.equals(roles, other.roles);
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + sessionId.hashCode();
  }

  @Override
  public String toString() {
    return "SecureYeomanAuthentication[userId="
        + userId
        + ", username="
        + username
        + ", authorities="
        + getAuthorities()
        + ", authenticated="
        + isAuthenticated()
        + ", tokens="
        + (tokens == null ? "none" : "██")
        + "]";
  }

  /**
   * Builder of a {@link SecureYeomanAuthentication} from an existing one: authorities and details may change, the
   * principal and tokens may not (a different principal is a different authentication).
   */
  public static final class Builder implements Authentication.Builder<Builder> {
    private final Principal principal;
    private final @Nullable AuthTokens tokens;
    private final Collection<GrantedAuthority> authorities = new LinkedHashSet<>();
    private @Nullable Object details;
    private boolean authenticated;

    private Builder(SecureYeomanAuthentication from) {
      this.principal = from.principal();
      this.tokens = from.tokens;
      this.authorities.addAll(from.getAuthorities());
      this.details = from.getDetails();
      this.authenticated = from.isAuthenticated();
    }

    @Override
    public Builder authorities(Consumer<Collection<GrantedAuthority>> change) {
      change.accept(authorities);
      authenticated = true;
      return this;
    }

    @Override
    public Builder details(@Nullable Object details) {
      this.details = details;
      return this;
    }

    @Override
    public Builder authenticated(boolean authenticated) {
      this.authenticated = authenticated;
      return this;
    }

    /**
     * Accepts only the same principal.
     *
     * @param principal must equal this authentication's {@link Principal}
     * @return this builder
     * @throws IllegalArgumentException for another principal
     */
    @Override
    public Builder principal(@Nullable Object principal) {
      if (!this.principal.equals(principal)) {
        throw new IllegalArgumentException("the principal of a SecureYeomanAuthentication cannot be replaced");
      }
      return this;
    }

    @Override
    public SecureYeomanAuthentication build() {
      SecureYeomanAuthentication a = new SecureYeomanAuthentication(principal, tokens, authorities, details);
      if (!authenticated) {
        a.setAuthenticated(false);
      }
      return a;
    }
  }
}
