package dev.secureyeoman.auth.spring;

import dev.secureyeoman.auth.LoginResult;
import java.io.Serial;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.springframework.security.authentication.CredentialsExpiredException;

/**
 * The password was right but an administrator reset it: the user must choose a new one before any authentication is
 * established. It is Spring's {@link CredentialsExpiredException} (an {@code AccountStatusException}, so {@code
 * ProviderManager} asks no other provider), carrying secure-auth's single-use password-change challenge: the host's
 * failure handler sends {@link #challengeToken()} to the client, which completes the change with {@code
 * AuthService.completePasswordChange(challengeToken, newPassword, client)}.
 *
 * <p>The challenge token is a secret: it is not in the message, and it is {@code transient}, so it is dropped when
 * Spring keeps the exception in a serialized HTTP session ({@code SPRING_SECURITY_LAST_EXCEPTION}).
 */
public final class PasswordChangeRequiredException extends CredentialsExpiredException {
  @Serial private static final long serialVersionUID = 1L;

  /** The message of every instance. */
  public static final String MESSAGE = "a new password is required";

  private final transient String challengeToken;
  private final Instant expiresAt;

  /**
   * Creates the exception from secure-auth's outcome.
   *
   * @param change the password-change challenge returned by {@code AuthService.login}
   */
  public PasswordChangeRequiredException(LoginResult.PasswordChangeRequired change) {
    super(MESSAGE);
    Objects.requireNonNull(change, "change");
    this.challengeToken = change.challengeToken();
    this.expiresAt = change.expiresAt();
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
