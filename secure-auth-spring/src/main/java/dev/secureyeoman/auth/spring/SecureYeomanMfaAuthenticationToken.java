package dev.secureyeoman.auth.spring;

import java.io.Serial;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * An unauthenticated request to complete an MFA login: the challenge token from {@link MfaRequiredException} and a TOTP
 * or recovery code. {@link SecureYeomanAuthenticationProvider} turns it into a {@link SecureYeomanAuthentication} through
 * {@code AuthService.completeMfa} or {@code completeMfaWithRecoveryCode}.
 *
 * <p>The challenge and the code are secrets: {@link #getPrincipal()} is a fixed label (so Spring's log lines that print
 * the name show no secret), {@link #toString()} shows neither, and both are {@code transient} and dropped by {@link
 * #eraseCredentials()}.
 */
public final class SecureYeomanMfaAuthenticationToken extends AbstractAuthenticationToken {
  @Serial private static final long serialVersionUID = 1L;

  /** Which second factor the code is. */
  public enum Method {
    /** A current TOTP code. */
    TOTP,
    /** A single-use recovery code. */
    RECOVERY_CODE
  }

  private final Method method;
  private transient @Nullable String challengeToken; // null once credentials are erased
  private transient @Nullable String code;

  private SecureYeomanMfaAuthenticationToken(Method method, String challengeToken, String code) {
    super(List.of());
    this.method = method;
    this.challengeToken = Objects.requireNonNull(challengeToken, "challengeToken");
    this.code = Objects.requireNonNull(code, "code");
  }

  /**
   * A TOTP completion.
   *
   * @param challengeToken from {@link MfaRequiredException#challengeToken()}
   * @param code the current code from the authenticator app
   * @return the request
   */
  public static SecureYeomanMfaAuthenticationToken totp(String challengeToken, String code) {
    return new SecureYeomanMfaAuthenticationToken(Method.TOTP, challengeToken, code);
  }

  /**
   * A recovery-code completion.
   *
   * @param challengeToken from {@link MfaRequiredException#challengeToken()}
   * @param recoveryCode one unused recovery code
   * @return the request
   */
  public static SecureYeomanMfaAuthenticationToken recoveryCode(String challengeToken, String recoveryCode) {
    return new SecureYeomanMfaAuthenticationToken(Method.RECOVERY_CODE, challengeToken, recoveryCode);
  }

  /**
   * Returns the kind of code.
   *
   * @return the method
   */
  public Method method() {
    return method;
  }

  @Nullable String challengeTokenValue() {
    return challengeToken;
  }

  /**
   * Returns a fixed label: the challenge token is a secret and must not become a logged "name".
   *
   * @return {@code "mfa-challenge"}
   */
  @Override
  public Object getPrincipal() {
    return "mfa-challenge";
  }

  /**
   * Returns the code until {@link #eraseCredentials()}.
   *
   * @return the code, or {@code null} once erased
   */
  @Override
  public @Nullable Object getCredentials() {
    return code;
  }

  /**
   * Only {@code false} is accepted: this is a request, never a result.
   *
   * @param authenticated must be {@code false}
   * @throws IllegalArgumentException for {@code true}
   */
  @Override
  public void setAuthenticated(boolean authenticated) {
    if (authenticated) {
      throw new IllegalArgumentException("an MFA request cannot be marked as authenticated");
    }
    super.setAuthenticated(false);
  }

  @Override
  public void eraseCredentials() {
    super.eraseCredentials();
    challengeToken = null;
    code = null;
  }

  @Override
  public boolean equals(@Nullable Object obj) {
    return this == obj;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }

  @Override
  public String toString() {
    return "SecureYeomanMfaAuthenticationToken[method=" + method + ", challengeToken=██, code=██]";
  }
}
