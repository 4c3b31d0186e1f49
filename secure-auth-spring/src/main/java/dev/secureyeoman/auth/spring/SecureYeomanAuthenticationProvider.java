package dev.secureyeoman.auth.spring;

import dev.secureyeoman.auth.AccountLockedException;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.InvalidCredentialsException;
import dev.secureyeoman.auth.LoginResult;
import dev.secureyeoman.auth.LoginThrottledException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AccountStatusException;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.InternalAuthenticationServiceException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.FactorGrantedAuthority;

/**
 * Username/password login, and its MFA completion, through secure-auth's {@link AuthService}: throttling, the dummy hash
 * for unknown users, rehashing, audit and 2FA all stay in secure-auth; this class only translates.
 *
 * <table>
 *   <caption>What each outcome becomes</caption>
 *   <tr><th>secure-auth</th><th>Spring Security</th></tr>
 *   <tr><td>{@code LoginResult.Authenticated}</td><td>{@link SecureYeomanAuthentication} with {@code ROLE_<role>},
 *       {@code FACTOR_PASSWORD} (plus {@code FACTOR_TOTP}/{@code FACTOR_RECOVERY_CODE} after MFA) and the tokens</td></tr>
 *   <tr><td>{@code LoginResult.MfaRequired}</td><td>{@link MfaRequiredException} (no authentication yet)</td></tr>
 *   <tr><td>{@code LoginResult.PasswordChangeRequired}</td><td>{@link PasswordChangeRequiredException} (a {@code
 *       CredentialsExpiredException}; no authentication yet)</td></tr>
 *   <tr><td>{@code AccountLockedException} (second factor locked)</td><td>{@link LockedException}</td></tr>
 *   <tr><td>{@code InvalidCredentialsException}</td><td>{@link BadCredentialsException}, same generic message</td></tr>
 *   <tr><td>{@code LoginThrottledException}</td><td>{@link LoginThrottledAuthenticationException} (a {@code
 *       LockedException}) with {@code retryAfter}</td></tr>
 *   <tr><td>any other {@code AuthException} (storage or audit down, interrupted)</td><td>{@link
 *       InternalAuthenticationServiceException}: fail closed, no other provider is asked</td></tr>
 * </table>
 *
 * <p>Supports {@link UsernamePasswordAuthenticationToken} (form login, HTTP Basic, a manual {@code
 * AuthenticationManager} call) and {@link SecureYeomanMfaAuthenticationToken}. The client address that keys secure-auth's
 * per-client throttle comes from the request's details: a {@link ClientInfo}, or Spring's {@code
 * WebAuthenticationDetails} (the socket peer address, as Spring's form login and Basic filters record it); otherwise
 * {@link #UNKNOWN_CLIENT}, which every such caller shares, so non-web callers should set a {@code ClientInfo} as details
 * or configure {@link Builder#clientInfo}. The result keeps the request's details (as Spring's providers do), except
 * that a {@code ClientInfo}, which is not serializable, becomes its address string.
 *
 * <p>Thread-safe.
 */
public final class SecureYeomanAuthenticationProvider implements AuthenticationProvider {

  /** The client used when the request's details name no address. */
  public static final ClientInfo UNKNOWN_CLIENT = ClientInfo.of("unknown");

  private final AuthService authService;
  private final Function<Authentication, ClientInfo> clientInfo;
  private final Predicate<Authentication> rememberMe;
  private final Clock clock;

  private SecureYeomanAuthenticationProvider(Builder b) {
    this.authService = b.authService;
    this.clientInfo = b.clientInfo;
    this.rememberMe = b.rememberMe;
    this.clock = b.clock;
  }

  /**
   * A provider with the defaults (client from the details, no remember-me, system clock).
   *
   * @param authService the service
   * @return the provider
   */
  public static SecureYeomanAuthenticationProvider of(AuthService authService) {
    return builder(authService).build();
  }

  /**
   * Starts a builder.
   *
   * @param authService the service
   * @return the builder
   */
  public static Builder builder(AuthService authService) {
    return new Builder(authService);
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication)
        || SecureYeomanMfaAuthenticationToken.class.isAssignableFrom(authentication);
  }

  @Override
  public @Nullable Authentication authenticate(Authentication authentication) throws AuthenticationException {
    try {
      if (authentication instanceof SecureYeomanMfaAuthenticationToken mfa) {
        return completeMfa(mfa);
      }
      if (authentication instanceof UsernamePasswordAuthenticationToken login) {
        return login(login);
      }
      return null;
    } catch (AuthenticationException e) {
      throw endingTheChain(authentication, e);
    }
  }

  private Authentication login(UsernamePasswordAuthenticationToken request) {
    if (!(request.getCredentials() instanceof CharSequence credentials)) {
      throw new BadCredentialsException(InvalidCredentialsException.MESSAGE);
    }
    char[] password = SecureYeomanPasswordEncoder.toChars(credentials);
    try {
      LoginResult result =
          authService.login(request.getName(), password, rememberMe.test(request), clientOf(request));
      if (result instanceof LoginResult.MfaRequired mfa) {
        throw new MfaRequiredException(mfa);
      }
      if (result instanceof LoginResult.PasswordChangeRequired change) {
        // before: a ClassCastException escaped Spring's exception handling
        throw new PasswordChangeRequiredException(change);
      }
      return success((LoginResult.Authenticated) result, request, FactorGrantedAuthority.PASSWORD_AUTHORITY);
    } catch (AuthException e) {
      throw translate(e);
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /**
   * Spring's {@code ProviderManager} attaches the request to the exception it rethrows, and a failure handler may keep
   * that exception in the HTTP session: the request's password would go with it. An outcome that ends the chain
   * ({@code AccountStatusException}, {@code InternalAuthenticationServiceException}: no other provider is asked) no
   * longer needs it, so it is erased from the request. A {@code BadCredentialsException} leaves the request intact for
   * the next provider, as every Spring provider does.
   */
  private static RuntimeException endingTheChain(Authentication request, RuntimeException e) {
    if (request instanceof org.springframework.security.core.CredentialsContainer c
        && (e instanceof AccountStatusException || e instanceof InternalAuthenticationServiceException)) {
      c.eraseCredentials();
    }
    return e;
  }

  private Authentication completeMfa(SecureYeomanMfaAuthenticationToken request) {
    String challenge = request.challengeTokenValue();
    if (challenge == null || !(request.getCredentials() instanceof String code)) {
      throw new BadCredentialsException(InvalidCredentialsException.MESSAGE);
    }
    ClientInfo client = clientOf(request);
    try {
      if (request.method() == SecureYeomanMfaAuthenticationToken.Method.TOTP) {
        return success(
            authService.completeMfa(challenge, code, client),
            request,
            FactorGrantedAuthority.PASSWORD_AUTHORITY,
            SecureYeomanAuthentication.TOTP_AUTHORITY);
      }
      return success(
          authService.completeMfaWithRecoveryCode(challenge, code, client),
          request,
          FactorGrantedAuthority.PASSWORD_AUTHORITY,
          SecureYeomanAuthentication.RECOVERY_CODE_AUTHORITY);
    } catch (AuthException e) {
      throw translate(e);
    }
  }

  private SecureYeomanAuthentication success(
      LoginResult.Authenticated ok, Authentication request, String... factors) {
    // ClientInfo is not Serializable (and Spring copies request details into the result anyway): keep its address
    Object details = request.getDetails() instanceof ClientInfo c ? c.address() : request.getDetails();
    return new SecureYeomanAuthentication(
        ok.principal(), ok.tokens(), Authorities.of(ok.principal(), clock.instant(), factors), details);
  }

  private ClientInfo clientOf(Authentication request) {
    ClientInfo c = clientInfo.apply(request);
    return c == null ? UNKNOWN_CLIENT : c;
  }

  /**
   * Translates secure-auth's exception (see the class table).
   *
   * @param e the exception
   * @return Spring's exception
   */
  static AuthenticationException translate(AuthException e) {
    if (e instanceof InvalidCredentialsException) {
      return new BadCredentialsException(InvalidCredentialsException.MESSAGE, e);
    }
    if (e instanceof LoginThrottledException t) {
      return new LoginThrottledAuthenticationException(t.retryAfter(), t);
    }
    if (e instanceof AccountLockedException) {
      return new LockedException(String.valueOf(e.getMessage()), e);
    }
    return new InternalAuthenticationServiceException(e.getMessage(), e);
  }

  /** The default client resolver: a {@link ClientInfo} as details, else Spring's web details, else unknown. */
  static ClientInfo defaultClientInfo(Authentication request) {
    Object details = request.getDetails();
    if (details instanceof ClientInfo c) {
      return c;
    }
    String address = WebDetails.PRESENT ? WebDetails.remoteAddress(details) : null;
    if (address == null || address.isBlank() || address.length() > 255) {
      return UNKNOWN_CLIENT;
    }
    return ClientInfo.of(address);
  }

  /** Builder of {@link SecureYeomanAuthenticationProvider}; every option has a default. */
  public static final class Builder {
    private final AuthService authService;
    private Function<Authentication, ClientInfo> clientInfo = SecureYeomanAuthenticationProvider::defaultClientInfo;
    private Predicate<Authentication> rememberMe = a -> false;
    private Clock clock = Clock.systemUTC();

    private Builder(AuthService authService) {
      this.authService = Objects.requireNonNull(authService, "authService");
    }

    /**
     * Sets how the client (address, user agent) of a login request is found. Default: a {@link ClientInfo} as the
     * request's details, else the remote address of Spring's {@code WebAuthenticationDetails}, else {@link
     * #UNKNOWN_CLIENT}. Behind a proxy, pass the address your proxy vouches for.
     *
     * @param clientInfo the resolver; a {@code null} result means {@link #UNKNOWN_CLIENT}
     * @return this builder
     */
    public Builder clientInfo(Function<Authentication, ClientInfo> clientInfo) {
      this.clientInfo = Objects.requireNonNull(clientInfo, "clientInfo");
      return this;
    }

    /**
     * Sets whether a login asks for a remember-me session (30 days instead of 24 h). Default: never. Example: {@code
     * auth -> auth.getDetails() instanceof MyDetails d && d.rememberMe()} with your own {@code
     * AuthenticationDetailsSource}.
     *
     * @param rememberMe the decision, from the login request
     * @return this builder
     */
    public Builder rememberMe(Predicate<Authentication> rememberMe) {
      this.rememberMe = Objects.requireNonNull(rememberMe, "rememberMe");
      return this;
    }

    /**
     * Sets the clock that stamps the factor authorities (default system UTC).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the provider.
     *
     * @return the provider
     */
    public SecureYeomanAuthenticationProvider build() {
      return new SecureYeomanAuthenticationProvider(this);
    }
  }

  /** Reads Spring's web details only when spring-security-web is on the class path (it is an optional dependency). */
  private static final class WebDetails {
    static final boolean PRESENT = present();

    private static boolean present() {
      try {
        Class.forName(
            "org.springframework.security.web.authentication.WebAuthenticationDetails",
            false,
            SecureYeomanAuthenticationProvider.class.getClassLoader());
        return true;
      } catch (ClassNotFoundException | LinkageError e) {
        return false;
      }
    }

    static @Nullable String remoteAddress(@Nullable Object details) {
      return details instanceof org.springframework.security.web.authentication.WebAuthenticationDetails w
          ? w.getRemoteAddress()
          : null;
    }
  }
}
