package dev.secureyeoman.sandbox;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What this host offers, found by actually running a trivial command under each backend (once per runner, then cached).
 *
 * @param backends every backend in preference order with whether it worked and why not
 * @param seccompAvailable whether the runner can install its seccomp filter
 * @param landlockAbi the kernel's Landlock ABI version, or empty when Landlock is unavailable or not used
 * @param networkAllowlistRefusal why {@link NetworkMode#ALLOWLIST} is refused
 */
public record SandboxCapabilities(
    List<BackendStatus> backends,
    boolean seccompAvailable,
    OptionalInt landlockAbi,
    String networkAllowlistRefusal) {

  /**
   * Probe outcome of one backend.
   *
   * @param backend the backend
   * @param available whether a trivial command ran under it
   * @param detail version or executable on success, the failure otherwise
   */
  public record BackendStatus(SandboxBackend backend, boolean available, String detail) {
    /**
     * Validates the components.
     *
     * @param backend the backend
     * @param available availability
     * @param detail detail text
     */
    public BackendStatus {
      Objects.requireNonNull(backend, "backend");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /**
   * Validates and copies the components.
   *
   * @param backends backend statuses
   * @param seccompAvailable seccomp availability
   * @param landlockAbi Landlock ABI
   * @param networkAllowlistRefusal refusal reason
   */
  public SandboxCapabilities {
    backends = List.copyOf(backends);
    Objects.requireNonNull(landlockAbi, "landlockAbi");
    Objects.requireNonNull(networkAllowlistRefusal, "networkAllowlistRefusal");
  }

  /**
   * Returns the strongest isolating backend that works here.
   *
   * @return BWRAP or UNSHARE_LANDLOCK, or empty when only {@link SandboxBackend#NONE} remains
   */
  public Optional<SandboxBackend> bestIsolatingBackend() {
    return backends.stream()
        .filter(b -> b.available() && b.backend() != SandboxBackend.NONE)
        .map(BackendStatus::backend)
        .findFirst();
  }

  /**
   * Returns the status of one backend.
   *
   * @param backend the backend
   * @return its status
   */
  public BackendStatus status(SandboxBackend backend) {
    return backends.stream().filter(b -> b.backend() == backend).findFirst().orElseThrow();
  }

  /**
   * Renders the capabilities as JSON (stable key order).
   *
   * @return JSON text
   */
  public String toJson() {
    StringBuilder sb = new StringBuilder(256).append("{\"backends\":[");
    boolean first = true;
    for (BackendStatus b : backends) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append('{');
      Json.field(sb, "backend", b.backend().name()).append(',');
      sb.append("\"available\":").append(b.available()).append(',');
      Json.field(sb, "detail", b.detail()).append('}');
    }
    sb.append("],");
    Json.field(sb, "best", bestIsolatingBackend().map(Enum::name).orElse(null)).append(',');
    sb.append("\"seccompAvailable\":").append(seccompAvailable).append(',');
    sb.append("\"landlockAbi\":").append(landlockAbi.isPresent() ? String.valueOf(landlockAbi.getAsInt()) : "null");
    sb.append(',');
    Json.field(sb, "networkAllowlist", "refused: " + networkAllowlistRefusal);
    return sb.append('}').toString();
  }
}
