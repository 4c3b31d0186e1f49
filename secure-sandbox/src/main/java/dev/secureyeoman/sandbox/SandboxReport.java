package dev.secureyeoman.sandbox;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the kernel actually applied to one sandboxed run. Nothing is listed here that was only requested: a layer that was
 * unavailable or skipped is absent, a limit that could not be applied is in {@link #unappliedLimits()}, and {@link
 * #warnings()} says what is weaker than asked.
 *
 * @param backend the backend that ran the command
 * @param hostUid the host uid the command's processes run as (-1 when unknown); a root host gives every run its own uid
 * @param namespaces namespaces the command ran in
 * @param capabilitiesDropped whether every capability (effective, permitted, bounding, ambient) was dropped
 * @param readOnlyRoot whether the host file system was mounted read-only
 * @param privateTmp whether {@code /tmp} was a fresh, empty tmpfs
 * @param seccomp seccomp state the runner installed
 * @param seccompProfile the installed profile, empty when {@code seccomp} is {@link SeccompMode#NONE}
 * @param unixSocketsDenied whether the command could not create a unix socket that addresses a path: {@code
 *     socket(AF_UNIX)} refused and {@code socketpair} limited to stream and seqpacket pairs
 * @param landlockAbi the Landlock ABI of a ruleset that was enforced, or empty
 * @param execRestriction how executables were restricted
 * @param network network mode in effect
 * @param limits the limits the kernel enforced, one entry per mechanism (a limit can have two)
 * @param unappliedLimits requested limits no mechanism enforced, with the reason
 * @param teardown how the runner ends every process of the run
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
    Optional<SeccompProfile> seccompProfile,
    boolean unixSocketsDenied,
    OptionalInt landlockAbi,
    ExecRestriction execRestriction,
    NetworkMode network,
    List<AppliedLimit> limits,
    Map<ResourceLimit, String> unappliedLimits,
    Teardown teardown,
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
   * @param seccompProfile seccomp profile
   * @param unixSocketsDenied AF_UNIX denied
   * @param landlockAbi Landlock ABI
   * @param execRestriction exec restriction
   * @param network network mode
   * @param limits limits applied
   * @param unappliedLimits limits not applied
   * @param teardown teardown mechanism
   * @param workingDirectory working directory
   * @param skippedBackends skipped backends
   * @param warnings warnings
   */
  public SandboxReport {
    Objects.requireNonNull(backend, "backend");
    namespaces = namespaces.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(namespaces));
    Objects.requireNonNull(seccomp, "seccomp");
    Objects.requireNonNull(seccompProfile, "seccompProfile");
    if (seccomp == SeccompMode.NONE && seccompProfile.isPresent()) {
      throw new IllegalArgumentException("seccompProfile must be empty when seccomp is NONE");
    }
    Objects.requireNonNull(landlockAbi, "landlockAbi");
    Objects.requireNonNull(execRestriction, "execRestriction");
    Objects.requireNonNull(network, "network");
    limits = List.copyOf(limits);
    unappliedLimits = unappliedLimits.isEmpty()
        ? Map.of() : java.util.Collections.unmodifiableMap(new EnumMap<>(unappliedLimits));
    Objects.requireNonNull(teardown, "teardown");
    Objects.requireNonNull(workingDirectory, "workingDirectory");
    skippedBackends = java.util.Collections.unmodifiableMap(new TreeMap<>(skippedBackends));
    warnings = List.copyOf(warnings);
  }

  /**
   * Starts a builder (used by the runner; tests build reports to check their rendering).
   *
   * @param backend the backend that ran the command
   * @return a builder with no layer applied
   */
  public static Builder builder(SandboxBackend backend) {
    return new Builder(backend);
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
   * Returns the mechanisms that enforced one limit.
   *
   * @param limit the resource
   * @return the enforcements, empty when the limit was not applied
   */
  public Set<LimitEnforcement> enforcementOf(ResourceLimit limit) {
    EnumSet<LimitEnforcement> out = EnumSet.noneOf(LimitEnforcement.class);
    for (AppliedLimit l : limits) {
      if (l.limit() == limit) {
        out.add(l.enforcement());
      }
    }
    return out;
  }

  /**
   * Renders the report as a compact JSON object (stable key order, camelCase keys), for logs and the CLI.
   *
   * @return JSON text
   */
  public String toJson() {
    StringBuilder sb = new StringBuilder(512).append('{');
    Json.field(sb, "backend", backend.name()).append(',');
    sb.append("\"hostUid\":").append(hostUid).append(',');
    Json.array(sb, "namespaces", EnumSet.copyOf(namespacesOrEmpty()).stream().map(Enum::name).toList()).append(',');
    sb.append("\"capabilitiesDropped\":").append(capabilitiesDropped).append(',');
    sb.append("\"readOnlyRoot\":").append(readOnlyRoot).append(',');
    sb.append("\"privateTmp\":").append(privateTmp).append(',');
    Json.field(sb, "seccomp", seccomp.name()).append(',');
    Json.field(sb, "seccompProfile", seccompProfile.map(Enum::name).orElse(null)).append(',');
    sb.append("\"unixSocketsDenied\":").append(unixSocketsDenied).append(',');
    sb.append("\"landlockAbi\":").append(landlockAbi.isPresent() ? String.valueOf(landlockAbi.getAsInt()) : "null");
    sb.append(',');
    Json.field(sb, "execRestriction", execRestriction.name()).append(',');
    Json.field(sb, "network", network.name()).append(',');
    sb.append("\"limits\":[");
    boolean first = true;
    for (AppliedLimit l : limits) {
      sb.append(first ? "" : ",").append('{');
      first = false;
      Json.field(sb, "limit", l.limit().name()).append(",\"value\":").append(l.value()).append(',');
      Json.field(sb, "enforcedBy", l.enforcement().name()).append('}');
    }
    sb.append("],\"unappliedLimits\":{");
    first = true;
    for (Map.Entry<ResourceLimit, String> e : unappliedLimits.entrySet()) {
      sb.append(first ? "" : ",");
      first = false;
      Json.field(sb, e.getKey().name(), e.getValue());
    }
    sb.append("},");
    Json.field(sb, "teardown", teardown.name()).append(',');
    Json.field(sb, "workingDirectory", workingDirectory).append(',');
    sb.append("\"skippedBackends\":{");
    first = true;
    for (Map.Entry<SandboxBackend, String> e : skippedBackends.entrySet()) {
      sb.append(first ? "" : ",");
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

  /** Builder for a report; every layer starts as not applied. Not thread-safe. */
  public static final class Builder {
    private final SandboxBackend backend;
    private int hostUid = -1;
    private Set<Namespace> namespaces = Set.of();
    private boolean capabilitiesDropped;
    private boolean readOnlyRoot;
    private boolean privateTmp;
    private SeccompMode seccomp = SeccompMode.NONE;
    private Optional<SeccompProfile> seccompProfile = Optional.empty();
    private boolean unixSocketsDenied;
    private OptionalInt landlockAbi = OptionalInt.empty();
    private ExecRestriction execRestriction = ExecRestriction.NONE;
    private NetworkMode network = NetworkMode.HOST;
    private final List<AppliedLimit> limits = new ArrayList<>();
    private final Map<ResourceLimit, String> unapplied = new EnumMap<>(ResourceLimit.class);
    private Teardown teardown = Teardown.PROCESS_TREE;
    private String workingDirectory = "/";
    private Map<SandboxBackend, String> skippedBackends = Map.of();
    private final List<String> warnings = new ArrayList<>();

    private Builder(SandboxBackend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
    }

    /**
     * Sets the host uid.
     *
     * @param uid host uid, -1 when unknown
     * @return this builder
     */
    public Builder hostUid(int uid) {
      this.hostUid = uid;
      return this;
    }

    /**
     * Sets the namespaces.
     *
     * @param ns namespaces
     * @return this builder
     */
    public Builder namespaces(Set<Namespace> ns) {
      this.namespaces = Objects.requireNonNull(ns, "namespaces");
      return this;
    }

    /**
     * Sets the capability, root and tmp flags.
     *
     * @param capabilitiesDropped every capability dropped
     * @param readOnlyRoot host file system read-only
     * @param privateTmp fresh {@code /tmp}
     * @return this builder
     */
    public Builder filesystem(boolean capabilitiesDropped, boolean readOnlyRoot, boolean privateTmp) {
      this.capabilitiesDropped = capabilitiesDropped;
      this.readOnlyRoot = readOnlyRoot;
      this.privateTmp = privateTmp;
      return this;
    }

    /**
     * Records an installed seccomp filter.
     *
     * @param profile the profile
     * @param unixSocketsDenied whether path-addressing unix sockets were refused
     * @return this builder
     */
    public Builder seccomp(SeccompProfile profile, boolean unixSocketsDenied) {
      this.seccomp = SeccompMode.FILTER;
      this.seccompProfile = Optional.of(Objects.requireNonNull(profile, "profile"));
      this.unixSocketsDenied = unixSocketsDenied;
      return this;
    }

    /**
     * Records an enforced Landlock ruleset.
     *
     * @param abi the ABI
     * @return this builder
     */
    public Builder landlockAbi(int abi) {
      this.landlockAbi = OptionalInt.of(abi);
      return this;
    }

    /**
     * Sets the exec restriction.
     *
     * @param r the restriction
     * @return this builder
     */
    public Builder execRestriction(ExecRestriction r) {
      this.execRestriction = Objects.requireNonNull(r, "execRestriction");
      return this;
    }

    /**
     * Sets the network mode in effect.
     *
     * @param mode the mode
     * @return this builder
     */
    public Builder network(NetworkMode mode) {
      this.network = Objects.requireNonNull(mode, "network");
      return this;
    }

    /**
     * Adds enforced limits.
     *
     * @param applied the limits
     * @return this builder
     */
    public Builder limits(List<AppliedLimit> applied) {
      limits.addAll(applied);
      return this;
    }

    /**
     * Adds limits that were not applied.
     *
     * @param reasons limit to reason
     * @return this builder
     */
    public Builder unappliedLimits(Map<ResourceLimit, String> reasons) {
      unapplied.putAll(reasons);
      return this;
    }

    /**
     * Sets the teardown mechanism.
     *
     * @param t the mechanism
     * @return this builder
     */
    public Builder teardown(Teardown t) {
      this.teardown = Objects.requireNonNull(t, "teardown");
      return this;
    }

    /**
     * Sets the working directory as the command sees it.
     *
     * @param dir the directory
     * @return this builder
     */
    public Builder workingDirectory(String dir) {
      this.workingDirectory = Objects.requireNonNull(dir, "workingDirectory");
      return this;
    }

    /**
     * Sets the skipped backends.
     *
     * @param skipped backend to reason
     * @return this builder
     */
    public Builder skippedBackends(Map<SandboxBackend, String> skipped) {
      this.skippedBackends = Objects.requireNonNull(skipped, "skippedBackends");
      return this;
    }

    /**
     * Adds warnings.
     *
     * @param more warnings
     * @return this builder
     */
    public Builder warnings(List<String> more) {
      warnings.addAll(more);
      return this;
    }

    /**
     * Builds the report.
     *
     * @return the report
     */
    public SandboxReport build() {
      return new SandboxReport(backend, hostUid, namespaces, capabilitiesDropped, readOnlyRoot, privateTmp, seccomp,
          seccompProfile, unixSocketsDenied, landlockAbi, execRestriction, network, limits, unapplied, teardown,
          workingDirectory, skippedBackends, warnings);
    }
  }
}
