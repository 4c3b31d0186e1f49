package dev.secureyeoman.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * Outcome of a successful password step: tokens, or a second factor is required, or (after an administrator's reset) a
 * new password must be chosen first.
 */
public sealed interface LoginResult
    permits LoginResult.Authenticated, LoginResult.MfaRequired, LoginResult.PasswordChangeRequired {

  /**
   * The user has no second factor: the session is open.
   *
   * @param tokens the new tokens
   * @param principal who logged in
   */
  record Authenticated(AuthTokens tokens, Principal principal) implements LoginResult {
    /** Validates the fields. */
    public Authenticated {
      Objects.requireNonNull(tokens, "tokens");
      Objects.requireNonNull(principal, "principal");
    }
  }

  /**
   * The password was right and 2FA is enabled: pass {@link #challengeToken()} and a TOTP or recovery code to {@link
   * AuthService#completeMfa}. The challenge is single-use, short-lived and bound to the user and this password step.
   *
   * @param challengeToken opaque challenge (secret; never logged)
   * @param expiresAt when the challenge expires
   */
  record MfaRequired(String challengeToken, Instant expiresAt) implements LoginResult {
    /** Validates the fields. */
    public MfaRequired {
      Objects.requireNonNull(challengeToken, "challengeToken");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }

    @Override
    public String toString() {
      return "MfaRequired[challengeToken=██, expiresAt=" + expiresAt + "]";
    }
  }

  /**
   * The password was right but an administrator reset it: the user must choose a new one. Pass {@link
   * #challengeToken()} and the new password to {@link AuthService#completePasswordChange}; no tokens exist before that.
   * The challenge is single-use and short-lived ({@link AuthSettings#mfaChallengeTtl()}).
   *
   * @param challengeToken opaque challenge (secret; never logged)
   * @param expiresAt when the challenge expires
   */
  record PasswordChangeRequired(String challengeToken, Instant expiresAt) implements LoginResult {
    /** Validates the fields. */
    public PasswordChangeRequired {
      Objects.requireNonNull(challengeToken, "challengeToken");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }

    @Override
    public String toString() {
      return "PasswordChangeRequired[challengeToken=██, expiresAt=" + expiresAt + "]";
    }
  }
}
