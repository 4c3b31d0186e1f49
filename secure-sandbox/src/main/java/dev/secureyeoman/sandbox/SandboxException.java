package dev.secureyeoman.sandbox;

import dev.secureyeoman.core.SecureYeomanException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The runner refused or could not complete a sandboxed run. {@link #reason()} tells callers what happened without
 * parsing the message (as {@code EnvelopeException.Reason} does in secure-core); the message adds the context (paths,
 * the backend, what was missing) and never contains the command's arguments or environment.
 *
 * <p>A command that starts and then fails is not an exception: see {@link SandboxResult}.
 */
public class SandboxException extends SecureYeomanException {
  private static final long serialVersionUID = 1L;

  /** Why a run was refused or failed. */
  public enum Reason {
    /** The policy asks for something this runner does not enforce (network ALLOWLIST, read-only binds without bwrap). */
    UNSUPPORTED_POLICY,
    /** Isolation was required but no backend could provide it, or the policy forces NONE while requiring isolation. */
    NO_ISOLATION,
    /** The forced backend is not available on this host. */
    BACKEND_UNAVAILABLE,
    /** A host tool the policy needs ({@code prlimit}, {@code setpriv}) is missing from the search path. */
    TOOL_MISSING,
    /** The workspace does not exist, is not reachable by the run's identity, or is in use by another run. */
    WORKSPACE,
    /** No free uid in the identity pool, or the pool's lock directory is unusable. */
    IDENTITY_UNAVAILABLE,
    /** The backend could not be started or failed before the command ran (including joining the run's cgroup). */
    LAUNCH_FAILED,
    /** Processes of the run were still alive after the runner killed the run; their uid stays reserved. */
    TEARDOWN_FAILED,
    /** The run was cancelled by the caller. */
    CANCELLED
  }

  private final Reason reason;

  /**
   * Creates an exception.
   *
   * @param reason why
   * @param message what was refused, with context
   */
  public SandboxException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Creates an exception with a cause.
   *
   * @param reason why
   * @param message what failed, with context
   * @param cause the underlying failure
   */
  public SandboxException(Reason reason, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Returns why the run was refused or failed.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }
}
