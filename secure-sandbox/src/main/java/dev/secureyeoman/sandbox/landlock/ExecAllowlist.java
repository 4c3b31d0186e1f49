package dev.secureyeoman.sandbox.landlock;

import dev.secureyeoman.sandbox.internal.landlock.LandlockInstaller;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * "Only these binaries may run": a Landlock ruleset that handles {@code LANDLOCK_ACCESS_FS_EXECUTE} (and, by default,
 * every write right), applied to the calling thread and inherited by every process it starts.
 *
 * <p>Seccomp cannot do this: {@code execve}'s path is a pointer the filter cannot read. Landlock checks the opened
 * file itself, so symlinks, relative paths and {@code execveat} cannot dodge it. The kernel also checks the ELF
 * interpreter ({@code ld-linux}) when a dynamically linked binary starts, so the builder adds each allowed binary's
 * {@code PT_INTERP} and each allowed script's {@code #!} interpreter, plus the JDK's {@code jspawnhelper}, which
 * {@link ProcessBuilder} runs before the target on Linux.
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>After {@link #applyToCurrentThread()} returns, {@code execve} of anything not allowed fails with
 *       {@code EACCES} in this thread and all its descendants; the restriction cannot be lifted.</li>
 *   <li>With writes restricted (the default), creating, writing, truncating, renaming or deleting files outside the
 *       writable paths fails with {@code EACCES}. {@code /dev/null} stays writable.</li>
 * </ul>
 *
 * <h2>Non-goals</h2>
 * Reads are not restricted. Shared libraries loaded with {@code mmap(PROT_EXEC)} are not checked (Landlock controls
 * {@code execve}, not mappings), and interpreters allowed here run any script they are given. Descriptors opened before
 * the ruleset keep working.
 */
public final class ExecAllowlist {
  private final List<Path> executables;
  private final List<Path> writable;
  private final boolean restrictWrites;
  private final boolean implicitHelpers;

  private ExecAllowlist(Builder b) {
    this.executables = List.copyOf(b.executables);
    this.writable = List.copyOf(b.writable);
    this.restrictWrites = b.restrictWrites;
    this.implicitHelpers = b.implicitHelpers;
  }

  /**
   * Starts a builder: nothing executable, writes restricted, implicit helpers on.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder with this allowlist's settings.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.executables.addAll(executables);
    b.writable.addAll(writable);
    b.restrictWrites = restrictWrites;
    b.restrictWritesSet = true;
    b.implicitHelpers = implicitHelpers;
    b.implicitHelpersSet = true;
    return b;
  }

  /**
   * Explicitly allowed executables and directories.
   *
   * @return absolute, normalized paths
   */
  public List<Path> executables() {
    return executables;
  }

  /**
   * Writable files and directories.
   *
   * @return absolute, normalized paths
   */
  public List<Path> writable() {
    return writable;
  }

  /**
   * Whether writes outside {@link #writable()} are refused.
   *
   * @return true by default
   */
  public boolean restrictWrites() {
    return restrictWrites;
  }

  /**
   * Whether dynamic loaders, script interpreters and {@code jspawnhelper} are added automatically.
   *
   * @return true by default
   */
  public boolean implicitHelpers() {
    return implicitHelpers;
  }

  /**
   * Every path that will be executable once applied, including implicit helpers.
   *
   * @return the resolved list
   */
  public List<Path> effectiveExecutables() {
    return LandlockInstaller.effectiveExecutables(this);
  }

  /**
   * The Landlock ABI version of the running kernel.
   *
   * @return the version, or empty when Landlock is unavailable
   */
  public static OptionalInt availableAbi() {
    return LandlockInstaller.availableAbi();
  }

  /**
   * Restricts the calling thread (and every process it starts afterwards). Sets {@code no_new_privs}. Use a dedicated
   * platform thread: the restriction cannot be removed.
   *
   * @return what the kernel applied
   * @throws LandlockUnavailableException when the kernel has no Landlock (nothing was restricted)
   * @throws LandlockException when a path cannot be opened or the kernel refuses the ruleset
   */
  public LandlockStatus applyToCurrentThread() throws LandlockException {
    return LandlockInstaller.apply(this);
  }

  @Override
  public String toString() {
    return "ExecAllowlist[exec " + executables + ", writable " + (restrictWrites ? writable : "everywhere") + "]";
  }

  /** Validating builder. Not thread-safe. */
  public static final class Builder {
    private final Set<Path> executables = new LinkedHashSet<>();
    private final Set<Path> writable = new LinkedHashSet<>();
    private boolean restrictWrites = true;
    private boolean restrictWritesSet;
    private boolean implicitHelpers = true;
    private boolean implicitHelpersSet;

    private Builder() {}

    /**
     * Allows executing these files, or anything beneath these directories.
     *
     * @param paths absolute paths; symlinks are resolved by the kernel when the ruleset is built
     * @return this builder
     * @throws IllegalArgumentException if a path is null or relative
     */
    public Builder allowExecute(Path... paths) {
      for (Path p : paths) {
        executables.add(absolute(p, "allowExecute"));
      }
      return this;
    }

    /**
     * Allows writing these files, or creating, writing and deleting anything beneath these directories.
     *
     * @param paths absolute paths
     * @return this builder
     * @throws IllegalArgumentException if a path is null or relative
     */
    public Builder allowWrite(Path... paths) {
      for (Path p : paths) {
        writable.add(absolute(p, "allowWrite"));
      }
      return this;
    }

    /**
     * Whether writes outside the writable paths are refused (default true). With false only execution is restricted.
     *
     * @param restrict the setting
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder restrictWrites(boolean restrict) {
      if (restrictWritesSet) {
        throw new IllegalStateException("restrictWrites already set to " + restrictWrites);
      }
      restrictWrites = restrict;
      restrictWritesSet = true;
      return this;
    }

    /**
     * Whether to add dynamic loaders, {@code #!} interpreters and {@code jspawnhelper} (default true). Without them
     * dynamically linked binaries cannot start, and {@link ProcessBuilder} cannot start anything.
     *
     * @param include the setting
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder implicitHelpers(boolean include) {
      if (implicitHelpersSet) {
        throw new IllegalStateException("implicitHelpers already set to " + implicitHelpers);
      }
      implicitHelpers = include;
      implicitHelpersSet = true;
      return this;
    }

    /**
     * Builds the allowlist.
     *
     * @return the allowlist
     * @throws IllegalStateException if writable paths were given while writes are unrestricted
     */
    public ExecAllowlist build() {
      if (!restrictWrites && !writable.isEmpty()) {
        throw new IllegalStateException("allowWrite given but restrictWrites(false): writable paths would be ignored");
      }
      return new ExecAllowlist(this);
    }

    private static Path absolute(Path p, String option) {
      if (p == null || !p.isAbsolute()) {
        throw new IllegalArgumentException(option + " needs absolute paths, got " + p);
      }
      return p.normalize();
    }
  }
}
