package dev.secureyeoman.examples.gateway;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * The JSON request bodies of the gateway's routes, validated by {@link dev.secureyeoman.web.RequestBodies} (strict
 * binding, unknown fields refused). Passwords arrive as JSON strings and cannot be wiped; they are copied into
 * {@code char[]} for the auth service, which are wiped after the call.
 */
public final class Requests {
  private Requests() {}

  /** The shape of a TOTP code. */
  static final String CODE_PATTERN = "[0-9]{6,8}";

  /**
   * {@code POST /api/v1/auth/login}.
   *
   * @param username the user name
   * @param password the password
   * @param rememberMe 30-day session instead of 24 h (default false)
   */
  public record Login(
      @NotBlank @Size(max = 64) String username,
      @NotNull @Size(min = 1, max = 1024) String password,
      Boolean rememberMe) {}

  /**
   * {@code POST /api/v1/auth/login/mfa}: exactly one of {@code code} and {@code recoveryCode}.
   *
   * @param challengeToken from the password step
   * @param code a TOTP code
   * @param recoveryCode a recovery code
   */
  public record Mfa(
      @NotBlank @Size(max = 512) String challengeToken,
      @Pattern(regexp = CODE_PATTERN, message = "must be 6 to 8 digits") String code,
      @Size(min = 1, max = 64) String recoveryCode) {}

  /**
   * {@code POST /api/v1/auth/refresh}; the token may come from the cookie instead.
   *
   * @param refreshToken the refresh token
   */
  public record Refresh(@Size(min = 1, max = 512) String refreshToken) {}

  /**
   * {@code POST /api/v1/auth/reset-password}.
   *
   * @param currentPassword the current password
   * @param newPassword the new password
   */
  public record ResetPassword(
      @NotNull @Size(min = 1, max = 1024) String currentPassword,
      @NotNull @Size(min = 1, max = 1024) String newPassword) {}

  /**
   * {@code POST /api/v1/auth/login/change-password}: the second step of a login whose password an administrator reset.
   *
   * @param challengeToken the token from the {@code passwordChangeRequired} answer
   * @param newPassword the new password (the password policy applies)
   */
  public record LoginPasswordChange(
      @NotNull @Size(min = 1, max = 512) String challengeToken,
      @NotNull @Size(min = 1, max = 1024) String newPassword) {}

  /**
   * {@code POST /api/v1/auth/2fa/setup}.
   *
   * @param currentPassword the current password (re-authentication before a second factor is bound: a stolen access
   *     token alone cannot start an enrolment)
   */
  public record TotpSetup(@NotNull @Size(min = 1, max = 1024) String currentPassword) {}

  /**
   * {@code POST /api/v1/auth/2fa/enable}.
   *
   * @param code the first code from the authenticator app
   */
  public record TotpEnable(
      @NotNull @Pattern(regexp = CODE_PATTERN, message = "must be 6 to 8 digits") String code) {}

  /**
   * {@code POST /api/v1/auth/2fa/disable}.
   *
   * @param password the current password
   * @param code a current code
   */
  public record TotpDisable(
      @NotNull @Size(min = 1, max = 1024) String password,
      @NotNull @Pattern(regexp = CODE_PATTERN, message = "must be 6 to 8 digits") String code) {}

  /**
   * {@code POST /api/v1/admin/kill-switch}.
   *
   * @param engaged true to pause all bot activity
   * @param reason why (shown to operators, audited)
   */
  public record KillSwitch(@NotNull Boolean engaged, @Size(max = 1024) String reason) {}

  /**
   * {@code POST /api/v1/bot/messages}: a message for the example bot.
   *
   * @param platform e.g. {@code telegram}
   * @param thread the conversation thread id
   * @param text the message text
   */
  public record BotMessage(
      @NotBlank @Pattern(regexp = "[a-z]{1,32}", message = "must be 1 to 32 lower-case letters") String platform,
      @NotBlank @Size(max = 128) String thread,
      @NotBlank @Size(max = 4096) String text) {}

  /** An empty object, for routes whose body must be empty or {@code {}}. */
  public record Empty() {}
}
