package dev.secureyeoman.sandbox.seccomp;

import dev.secureyeoman.sandbox.internal.seccomp.Syscalls;
import java.util.List;

/**
 * One filter rule: when {@code syscall} is called and every condition holds, the kernel takes {@code action}. A
 * filter checks the rules for a syscall in the order they were added; the first match decides, and a syscall no rule
 * matched gets the filter's default action.
 *
 * @param syscall the syscall name as in the kernel headers ({@code openat}, {@code clone}, ...)
 * @param action what happens on a match
 * @param conditions argument tests, all of which must hold; empty for an unconditional rule
 */
public record SyscallRule(String syscall, SeccompAction action, List<ArgCondition> conditions) {
  /**
   * Validates and copies the components.
   *
   * @param syscall syscall name
   * @param action action
   * @param conditions conditions
   * @throws IllegalArgumentException if the name is known on no supported architecture, the action is null, or more
   *     than 6 conditions are given
   */
  public SyscallRule {
    if (!validName(syscall)) {
      throw new IllegalArgumentException("syscall must be a syscall name like 'openat', got '" + syscall + "'");
    }
    if (!Syscalls.knownAnywhere(syscall)) {
      throw new IllegalArgumentException(
          "syscall '" + syscall + "' is unknown on x86_64 and aarch64 (tables from " + Syscalls.source() + ")");
    }
    if (action == null) {
      throw new IllegalArgumentException("action must not be null");
    }
    if (conditions == null) {
      throw new IllegalArgumentException("conditions must not be null");
    }
    if (conditions.size() > 6) {
      throw new IllegalArgumentException("at most 6 conditions per rule, got " + conditions.size());
    }
    conditions = List.copyOf(conditions);
  }

  /** {@code [a-z_][a-z0-9_]{0,63}}, checked without a regex: profiles create hundreds of rules. */
  private static boolean validName(String s) {
    if (s == null || s.isEmpty() || s.length() > 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * Creates a rule.
   *
   * @param syscall the syscall name
   * @param action the action on a match
   * @param conditions argument tests that must all hold
   * @return the rule
   */
  public static SyscallRule of(String syscall, SeccompAction action, ArgCondition... conditions) {
    return new SyscallRule(syscall, action, List.of(conditions));
  }

  /**
   * Whether the rule matches regardless of arguments.
   *
   * @return true when there are no conditions
   */
  public boolean unconditional() {
    return conditions.isEmpty();
  }

  /**
   * Whether all conditions hold for the given arguments.
   *
   * @param args the six syscall arguments (missing ones count as 0)
   * @return true on a match
   */
  public boolean matches(long... args) {
    for (ArgCondition c : conditions) {
      long a = c.index() < args.length ? args[c.index()] : 0;
      if (!c.test(a)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return syscall + (conditions.isEmpty() ? "" : " if " + conditions) + " -> " + action;
  }
}
