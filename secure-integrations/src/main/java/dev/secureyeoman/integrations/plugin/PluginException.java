package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.core.config.ConfigViolation;
import dev.secureyeoman.integrations.IntegrationException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A plugin was rejected or an integration lifecycle step failed. {@link #reason()} says why in a form callers switch
 * on; the message names the jar and/or integration id and the detail, never configuration values or secrets.
 *
 * <p>For {@link Reason#CONFIG_INVALID}, {@link #violations()} lists every problem as
 * {@code <integration-id>.<config.path>: <message>}, e.g. {@code echo.max_length: must be less than or equal to 1000}.
 */
public final class PluginException extends IntegrationException {
  private static final long serialVersionUID = 1L;

  /** Why a plugin was rejected or a step failed. */
  public enum Reason {
    /** The jar is a symbolic link (refused, never followed). */
    SYMLINK,
    /** The path is not a regular file, or resolves outside the plugin directory. */
    NOT_A_FILE,
    /** The jar, its descriptor, an entry or the number of entries exceeds a limit. */
    TOO_LARGE,
    /** The file is not a zip archive at all (e.g. a text file named {@code .jar}). */
    NOT_A_JAR,
    /** The file starts like a zip archive but cannot be read (truncated or corrupt). */
    CORRUPT_JAR,
    /** A trust file is configured and does not list this jar's sha256 (for this plugin id). */
    UNTRUSTED,
    /** The trust file itself cannot be read or parsed. */
    TRUST_FILE_INVALID,
    /** The jar has no {@code META-INF/secureyeoman-plugin.properties}. */
    DESCRIPTOR_MISSING,
    /** The descriptor is not valid (syntax, missing or bad key); the message names the line. */
    DESCRIPTOR_MALFORMED,
    /** The plugin requires an SPI version this host does not provide. */
    SPI_INCOMPATIBLE,
    /**
     * The jar (or a nested {@code lib/*.jar}) names other code to load: a manifest {@code Class-Path} or a
     * {@code META-INF/INDEX.LIST}. Only the verified jar's own bytes are loadable, so such jars are refused.
     */
    CLASS_PATH,
    /** The jar contains SDK classes ({@code dev/secureyeoman/...}): depend on the SDK with {@code provided} scope. */
    BUNDLES_SDK,
    /** The factory class named by the descriptor or {@code META-INF/services} is not in the jar. */
    FACTORY_NOT_FOUND,
    /** The factory does not implement the SPI, is not instantiable, or several factories are listed. */
    FACTORY_INVALID,
    /** The factory's constructor or {@code create()} threw, or {@code configType()} was unusable. */
    FACTORY_FAILED,
    /** The integration's {@code id()} differs from the descriptor's id. */
    ID_MISMATCH,
    /** Another plugin or integration already has this id. */
    DUPLICATE_ID,
    /** The id is reserved for a built-in integration. */
    BUILTIN_ID,
    /** The configuration is missing, unreadable or violates the config type's constraints. */
    CONFIG_INVALID,
    /** {@code init} threw. */
    INIT_FAILED,
    /** {@code start} threw. */
    START_FAILED,
    /** {@code stop} threw (the instance is discarded anyway). */
    STOP_FAILED,
    /** {@code send} failed or the integration is not running. */
    SEND_FAILED,
    /** A plugin call did not return within the lifecycle timeout. */
    TIMEOUT,
    /** No integration with this id is registered. */
    NOT_REGISTERED,
    /** The operation is not allowed in the integration's current state. */
    ILLEGAL_STATE,
    /** Recording the step in the audit log failed, so the step was undone (fail-closed). */
    AUDIT_FAILED,
    /** Another plugin host (this JVM or another process) holds the plugin directory's exclusive lock. */
    LOCKED,
    /** Reading or copying the jar failed. */
    IO_ERROR;

    /**
     * Returns the reason as used in CLI output and audit metadata: lower case with hyphens, e.g. {@code not-a-jar}.
     *
     * @return the code
     */
    public String code() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final Reason reason;
  private final @Nullable String jar;
  private final @Nullable String integrationId;
  private final String detail;
  private final transient List<ConfigViolation> violations;

  private PluginException(
      Reason reason,
      @Nullable String jar,
      @Nullable String integrationId,
      String detail,
      List<ConfigViolation> violations,
      @Nullable Throwable cause) {
    super(format(reason, cleanJar(jar), integrationId, Texts.oneLine(detail, 600), violations), cause);
    this.reason = reason;
    this.jar = cleanJar(jar);
    this.integrationId = integrationId;
    this.detail = Texts.oneLine(detail, 600);
    this.violations = List.copyOf(violations);
  }

  private static @Nullable String cleanJar(@Nullable String jar) {
    return jar == null ? null : Texts.oneLine(jar, 255);
  }

  /**
   * A rejection of a jar.
   *
   * @param reason why
   * @param jar the jar's file name
   * @param detail what exactly, without secrets
   * @return the exception
   */
  public static PluginException forJar(Reason reason, String jar, String detail) {
    return new PluginException(reason, jar, null, detail, List.of(), null);
  }

  /**
   * A rejection of a jar with a cause.
   *
   * @param reason why
   * @param jar the jar's file name
   * @param detail what exactly, without secrets
   * @param cause the underlying failure
   * @return the exception
   */
  public static PluginException forJar(Reason reason, String jar, String detail, Throwable cause) {
    return new PluginException(reason, jar, null, detail, List.of(), cause);
  }

  /**
   * A failure of an integration lifecycle step.
   *
   * @param reason why
   * @param integrationId the integration
   * @param jar the plugin jar's file name, or null for a built-in integration
   * @param detail what exactly, without secrets
   * @param cause the underlying failure, or null
   * @return the exception
   */
  public static PluginException forIntegration(
      Reason reason, String integrationId, @Nullable String jar, String detail, @Nullable Throwable cause) {
    return new PluginException(reason, jar, integrationId, detail, List.of(), cause);
  }

  /**
   * An invalid configuration.
   *
   * @param integrationId the integration
   * @param jar the plugin jar's file name, or null
   * @param detail the source (file) and summary
   * @param violations each problem, paths prefixed with the integration id; may be empty for a file-level failure
   * @param cause the underlying failure, or null
   * @return the exception
   */
  public static PluginException configInvalid(
      String integrationId,
      @Nullable String jar,
      String detail,
      List<ConfigViolation> violations,
      @Nullable Throwable cause) {
    return new PluginException(Reason.CONFIG_INVALID, jar, integrationId, detail, violations, cause);
  }

  /**
   * Returns why.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  /**
   * Returns the jar's file name, when a jar is concerned.
   *
   * @return the file name
   */
  public Optional<String> jar() {
    return Optional.ofNullable(jar);
  }

  /**
   * Returns the integration id, when known.
   *
   * @return the id
   */
  public Optional<String> integrationId() {
    return Optional.ofNullable(integrationId);
  }

  /**
   * Returns the configuration violations (only for {@link Reason#CONFIG_INVALID}), sorted by path.
   *
   * @return the violations
   */
  public List<ConfigViolation> violations() {
    return violations == null ? List.of() : violations;
  }

  /**
   * Returns the message: integration id and/or jar, reason code, detail and any violations.
   *
   * @return the message, never null
   */
  @Override
  public String getMessage() {
    // the constructor always passes the formatted message
    return Objects.requireNonNull(super.getMessage(), "formatted by the constructor");
  }

  /**
   * Returns the reason code and detail without the jar or id prefix, e.g. {@code not-a-jar: no zip signature}, as the
   * CLI prints it after {@code REJECTED}.
   *
   * @return the one-line reason
   */
  public String shortReason() {
    return reason.code() + ": " + detail;
  }

  private static String format(
      Reason reason, @Nullable String jar, @Nullable String id, String detail, List<ConfigViolation> violations) {
    StringBuilder sb = new StringBuilder();
    if (id != null) {
      sb.append("integration '").append(id).append('\'');
    }
    if (jar != null) {
      sb.append(sb.length() > 0 ? " (" + jar + ")" : jar);
    }
    sb.append(": ").append(reason.code()).append(": ").append(detail);
    if (!violations.isEmpty()) {
      sb.append('\n').append(violations.stream().map(ConfigViolation::toString).collect(Collectors.joining("\n")));
    }
    return sb.toString();
  }
}
