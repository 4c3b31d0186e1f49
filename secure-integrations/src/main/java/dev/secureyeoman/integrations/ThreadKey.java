package dev.secureyeoman.integrations;

import java.util.Objects;

/**
 * Identifies a conversation thread: the platform, the scope on that platform (chat, channel, guild) and the thread within
 * the scope. Components are validated so a key cannot be forged to collide with another one by embedding separators.
 *
 * @param platform lower-case platform id, e.g. {@code telegram}
 * @param scope chat or channel id on the platform
 * @param thread thread or topic id within the scope ({@code main} for the unthreaded conversation)
 */
public record ThreadKey(String platform, String scope, String thread) {

  /** Validates each component: 1–128 printable characters without {@code '/'}. */
  public ThreadKey {
    check("platform", platform);
    check("scope", scope);
    check("thread", thread);
    if (!platform.matches("[a-z][a-z0-9_-]*")) {
      throw new IllegalArgumentException("platform must match [a-z][a-z0-9_-]*, got '" + platform + "'");
    }
  }

  private static void check(String name, String value) {
    Objects.requireNonNull(value, name);
    if (value.isEmpty() || value.length() > 128) {
      throw new IllegalArgumentException(name + " must be 1-128 characters, got " + value.length());
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '/' || Character.isISOControl(c)) {
        throw new IllegalArgumentException(name + " must not contain '/' or control characters");
      }
    }
  }

  /**
   * Returns the canonical {@code platform/scope/thread} form, unambiguous because no component contains {@code '/'}.
   *
   * @return the canonical string
   */
  public String canonical() {
    return platform + "/" + scope + "/" + thread;
  }
}
