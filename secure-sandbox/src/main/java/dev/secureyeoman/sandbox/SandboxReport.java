package dev.secureyeoman.sandbox;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the kernel actually applied to one sandboxed run. Nothing is listed here that was only requested: a layer that was
 * unavailable or skipped is absent, and {@link #warnings()} says why.
 *
 * @param backend the backend that ran the command
 * @param hostUid the host uid the command's processes run as (-1 when unknown)
 * @param namespaces namespaces the command ran in
 * @param capabilitiesDropped whether every capability (effective, permitted, bounding, ambient) was dropped
 * @param readOnlyRoot whether the host file system was mounted read-only
 * @param privateTmp whether {@code /tmp} was a fresh, empty tmpfs
 * @param seccomp seccomp state the runner installed
 * @param unixSocketsDenied whether {@code socket(AF_UNIX)} was refused by the seccomp filter
 * @param landlockAbi the Landlock ABI of a ruleset that was enforced, or empty
 * @param execRestriction how executables were restricted
 * @param network network mode in effect
 * @param limits resource limits that were applied
 * @param workingDirectory the command's working directory as the command sees it
 * @param skippedBackends backends tried before this one, with the reason each was not used
 * @param warnings human-readable notes about weaker-than-requested isolation
 */
public record SandboxReport(
    SandboxBackend backend,
    int hostUid,
    Set<Namespace> namespaces,
    boolean capabilitiesDropped,
    boolean readOnlyRoot,
    boolean privateTmp,
    SeccompMode seccomp,
    boolean unixSocketsDenied,
    OptionalInt landlockAbi,
    ExecRestriction execRestriction,
    NetworkMode network,
    ResourceLimits limits,
    String workingDirectory,
    Map<SandboxBackend, String> skippedBackends,
    List<String> warnings) {

  /**
   * Validates and copies the components.
   *
   * @param backend the backend
   * @param hostUid host uid
   * @param namespaces namespaces
   * @param capabilitiesDropped capabilities dropped
   * @param readOnlyRoot read-only root
   * @param privateTmp private tmp
   * @param seccomp seccomp state
   * @param unixSocketsDenied AF_UNIX denied
   * @param landlockAbi Landlock ABI
   * @param execRestriction exec restriction
   * @param network network mode
   * @param limits limits applied
   * @param workingDirectory working directory
   * @param skippedBackends skipped backends
   * @param warnings warnings
   */
  public SandboxReport {
    Objects.requireNonNull(backend, "backend");
    namespaces = namespaces.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(namespaces));
    Objects.requireNonNull(seccomp, "seccomp");
    Objects.requireNonNull(landlockAbi, "landlockAbi");
    Objects.requireNonNull(execRestriction, "execRestriction");
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(workingDirectory, "workingDirectory");
    skippedBackends = java.util.Collections.unmodifiableMap(new TreeMap<>(skippedBackends));
    warnings = List.copyOf(warnings);
  }

  /**
   * Tells whether the command ran with namespace isolation at all.
   *
   * @return {@code false} only for {@link SandboxBackend#NONE}
   */
  public boolean isolated() {
    return backend != SandboxBackend.NONE;
  }

  /**
   * Renders the report as a compact JSON object (stable key order), for logs and {@code sandbox probe --json}.
   *
   * @return JSON text
   */
  public String toJson() {
    StringBuilder sb = new StringBuilder(256).append('{');
    Json.field(sb, "backend", backend.name()).append(',');
    sb.append("\"hostUid\":").append(hostUid).append(',');
    Json.array(sb, "namespaces", EnumSet.copyOf(namespacesOrEmpty()).stream().map(Enum::name).toList()).append(',');
    sb.append("\"capabilitiesDropped\":").append(capabilitiesDropped).append(',');
    sb.append("\"readOnlyRoot\":").append(readOnlyRoot).append(',');
    sb.append("\"privateTmp\":").append(privateTmp).append(',');
    Json.field(sb, "seccomp", seccomp.name()).append(',');
    sb.append("\"unixSocketsDenied\":").append(unixSocketsDenied).append(',');
    sb.append("\"landlockAbi\":").append(landlockAbi.isPresent() ? String.valueOf(landlockAbi.getAsInt()) : "null");
    sb.append(',');
    Json.field(sb, "execRestriction", execRestriction.name()).append(',');
    Json.field(sb, "network", network.name()).append(',');
    sb.append("\"limits\":{");
    boolean first = true;
    for (Map.Entry<RlimitResource, Long> e : limits.asMap().entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      Json.string(sb, e.getKey().name()).append(':').append(e.getValue());
    }
    sb.append("},");
    Json.field(sb, "workingDirectory", workingDirectory).append(',');
    sb.append("\"skippedBackends\":{");
    first = true;
    for (Map.Entry<SandboxBackend, String> e : skippedBackends.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      Json.field(sb, e.getKey().name(), e.getValue());
    }
    sb.append("},");
    Json.array(sb, "warnings", warnings);
    return sb.append('}').toString();
  }

  private Set<Namespace> namespacesOrEmpty() {
    return namespaces.isEmpty() ? EnumSet.noneOf(Namespace.class) : namespaces;
  }
}
