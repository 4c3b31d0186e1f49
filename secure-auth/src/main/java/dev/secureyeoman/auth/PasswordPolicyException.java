package dev.secureyeoman.auth;

import java.util.List;

/** A new password does not meet the {@link PasswordPolicy}; {@link #violations()} lists every reason. */
public final class PasswordPolicyException extends AuthException {
  private static final long serialVersionUID = 1L;

  /** Reasons; an unmodifiable list of strings ({@code List.copyOf} lists are serializable). */
  @SuppressWarnings("serial")
  private final List<String> violations;

  /**
   * Creates the exception.
   *
   * @param violations the reasons (never containing the password)
   */
  public PasswordPolicyException(List<String> violations) {
    super("password does not meet the policy: " + String.join("; ", violations));
    this.violations = List.copyOf(violations);
  }

  /**
   * Returns every reason the password was refused.
   *
   * @return unmodifiable list of reasons
   */
  public List<String> violations() {
    return violations;
  }
}
