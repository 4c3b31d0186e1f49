package dev.secureyeoman.sandbox;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Isolation backends, strongest first. */
public enum SandboxBackend {
  /** bubblewrap: user, pid, net, mount, ipc, uts and cgroup namespaces, no capabilities, seccomp on top. */
  BWRAP,
  /** util-linux {@code unshare} with thread-scoped seccomp and Landlock. */
  UNSHARE_LANDLOCK,
  /** No isolation: refused when isolation is required, otherwise run with a logged warning. */
  NONE;

  /**
   * Parses the {@code security.sandbox.backend} config value.
   *
   * @param value {@code auto}, {@code bwrap}, {@code unshare}, {@code unshare_landlock} or {@code none}
   * @return the backend, or {@code null} for {@code auto} (probe the chain)
   * @throws IllegalArgumentException naming the allowed values
   */
  public static @Nullable SandboxBackend fromConfig(String value) {
    if (value == null) {
      throw new IllegalArgumentException("security.sandbox.backend must be one of auto, bwrap, unshare, none");
    }
    switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "auto":
        return null;
      case "bwrap":
        return BWRAP;
      case "unshare":
      case "unshare_landlock":
        return UNSHARE_LANDLOCK;
      case "none":
        return NONE;
      default:
        throw new IllegalArgumentException(
            "security.sandbox.backend must be one of auto, bwrap, unshare, none, got '" + value + "'");
    }
  }
}
