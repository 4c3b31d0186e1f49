package dev.secureyeoman.auth.spring;

import dev.secureyeoman.auth.LoginResult;
import java.io.Serial;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.springframework.security.authentication.AccountStatusException;

/**
 * The password was right and the user has 2FA enabled: no authentication is established yet. The failure handler
 * answers with {@link #challengeToken()} (e.g. {@code {"mfaRequired": true, "challengeToken": ...}}), and the client
 * completes the login with {@link SecureYeomanMfaAuthenticationToken}.
 *
 * <p>It extends {@link AccountStatusException} on purpose: Spring's {@code ProviderManager} then stops instead of
 * asking the next provider, so no other provider can turn a password-only step into a login.
 *
 * <p>The challenge token is a secret: it is not in the message, and it is {@code transient}, so it is dropped when
 * Spring keeps the exception in a serialized HTTP session ({@code SPRING_SECURITY_LAST_EXCEPTION}).
 */
public final class MfaRequiredException extends AccountStatusException {
  @Serial private static final long serialVersionUID = 1L;

  /** The message of every instance. */
  public static final String MESSAGE = "second factor required";

  private final transient String challengeToken;
  private final Instant expiresAt;

  /**
   * Creates the exception from secure-auth's outcome.
   *
   * @param mfa the MFA challenge returned by {@code AuthService.login}
   */
  public MfaRequiredException(LoginResult.MfaRequired mfa) {
    super(MESSAGE);
    Objects.requireNonNull(mfa, "mfa");
    this.challengeToken = mfa.challengeToken();
    this.expiresAt = mfa.expiresAt();
  }

  /**
   * Returns the single-use challenge token to send to the client (never log it).
   *
   * @return the token; empty after deserialization
   */
  public Optional<String> challengeToken() {
    return Optional.ofNullable(challengeToken);
  }

  /**
   * Returns when the challenge expires.
   *
   * @return the expiry
   */
  public Instant expiresAt() {
    return expiresAt;
  }
}
