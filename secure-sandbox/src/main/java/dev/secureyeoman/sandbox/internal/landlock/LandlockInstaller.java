package dev.secureyeoman.sandbox.internal.landlock;

import dev.secureyeoman.sandbox.internal.nativ.ErrnoException;
import dev.secureyeoman.sandbox.internal.nativ.JnaLinuxNative;
import dev.secureyeoman.sandbox.internal.nativ.LinuxNative;
import dev.secureyeoman.sandbox.internal.nativ.ThreadChecks;
import dev.secureyeoman.sandbox.landlock.ExecAllowlist;
import dev.secureyeoman.sandbox.landlock.LandlockException;
import dev.secureyeoman.sandbox.landlock.LandlockStatus;
import dev.secureyeoman.sandbox.landlock.LandlockUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds and applies the Landlock ruleset for an {@link ExecAllowlist}. */
public final class LandlockInstaller {
  private static final Logger LOG = LoggerFactory.getLogger(LandlockInstaller.class);

  /** {@code LANDLOCK_ACCESS_FS_EXECUTE}. */
  public static final long EXECUTE = 1L;
  /** {@code LANDLOCK_ACCESS_FS_WRITE_FILE}. */
  public static final long WRITE_FILE = 1L << 1;
  /** {@code LANDLOCK_ACCESS_FS_READ_FILE}. */
  public static final long READ_FILE = 1L << 2;
  /** {@code REMOVE_DIR | REMOVE_FILE | MAKE_CHAR | MAKE_DIR | MAKE_REG | MAKE_SOCK | MAKE_FIFO | MAKE_BLOCK | MAKE_SYM}. */
  static final long DIRECTORY_WRITES = 0x1FF0L;
  /** {@code LANDLOCK_ACCESS_FS_REFER} (ABI 2). */
  static final long REFER = 1L << 13;
  /** {@code LANDLOCK_ACCESS_FS_TRUNCATE} (ABI 3). */
  public static final long TRUNCATE = 1L << 14;

  private LandlockInstaller() {}

  /**
   * The running kernel's ABI.
   *
   * @return the version, or empty
   */
  public static OptionalInt availableAbi() {
    try {
      return OptionalInt.of(JnaLinuxNative.load().landlockAbiVersion());
    } catch (ErrnoException | UnsupportedOperationException e) {
      return OptionalInt.empty();
    }
  }

  /**
   * Write rights the ABI knows.
   *
   * @param abi the ABI version
   * @return the rights bits
   */
  static long writeRights(int abi) {
    long rights = WRITE_FILE | DIRECTORY_WRITES;
    if (abi >= 2) {
      rights |= REFER;
    }
    if (abi >= 3) {
      rights |= TRUNCATE;
    }
    return rights;
  }

  /**
   * Explicit executables plus implicit helpers.
   *
   * @param allowlist the allowlist
   * @return every executable path
   */
  public static List<Path> effectiveExecutables(ExecAllowlist allowlist) {
    Set<Path> out = new LinkedHashSet<>(allowlist.executables());
    if (allowlist.implicitHelpers()) {
      Path spawnHelper = Path.of(System.getProperty("java.home"), "lib", "jspawnhelper");
      if (Files.isRegularFile(spawnHelper)) {
        out.add(spawnHelper);
      }
      // interpreters of interpreters: #!/usr/bin/python3 -> python3 -> ld-linux; bounded depth
      List<Path> frontier = new ArrayList<>(out);
      for (int depth = 0; depth < 3 && !frontier.isEmpty(); depth++) {
        List<Path> next = new ArrayList<>();
        for (Path p : frontier) {
          if (Files.isRegularFile(p)) {
            Optional<Path> interp = ElfInterpreter.of(p);
            if (interp.isPresent() && out.add(interp.get())) {
              next.add(interp.get());
            }
          }
        }
        frontier = next;
      }
    }
    return List.copyOf(out);
  }

  /**
   * Applies with the JNA-backed native layer.
   *
   * @param allowlist the allowlist
   * @return what the kernel applied
   * @throws LandlockException on failure
   */
  public static LandlockStatus apply(ExecAllowlist allowlist) throws LandlockException {
    LinuxNative nat;
    try {
      nat = JnaLinuxNative.load();
    } catch (UnsupportedOperationException e) {
      throw new LandlockUnavailableException("Landlock unavailable: " + e.getMessage(), e);
    }
    return apply(nat, allowlist);
  }

  /**
   * Applies the ruleset to the calling thread.
   *
   * @param nat native layer
   * @param allowlist the allowlist
   * @return what the kernel applied
   * @throws LandlockException on failure
   */
  public static LandlockStatus apply(LinuxNative nat, ExecAllowlist allowlist) throws LandlockException {
    ThreadChecks.requirePlatformThread(Thread.currentThread(), "a Landlock ruleset");
    int abi;
    try {
      abi = nat.landlockAbiVersion();
    } catch (ErrnoException e) {
      throw new LandlockUnavailableException("Landlock unavailable (" + ErrnoException.name(e.errno())
          + "): kernel without CONFIG_SECURITY_LANDLOCK or landlock missing from lsm=", e);
    }
    if (abi < 1) {
      throw new LandlockUnavailableException("Landlock reports ABI " + abi);
    }
    long writes = allowlist.restrictWrites() ? writeRights(abi) : 0;
    long handled = EXECUTE | writes;
    List<Path> executables = effectiveExecutables(allowlist);
    List<Path> writable = new ArrayList<>(allowlist.writable());
    if (allowlist.restrictWrites()) {
      writable.add(Path.of("/dev/null"));
    }
    int ruleset;
    try {
      ruleset = nat.landlockCreateRuleset(handled, 0, 0);
    } catch (ErrnoException e) {
      throw new LandlockException("cannot create Landlock ruleset: " + e.getMessage(), e);
    }
    try {
      for (Path p : executables) {
        addRule(nat, ruleset, p, EXECUTE);
      }
      for (Path p : writable) {
        boolean dir = Files.isDirectory(p);
        addRule(nat, ruleset, p, dir ? writes : writes & (WRITE_FILE | TRUNCATE));
      }
      try {
        nat.setNoNewPrivs();
        nat.landlockRestrictSelf(ruleset);
      } catch (ErrnoException e) {
        throw new LandlockException("kernel refused to restrict the thread: " + e.getMessage(), e);
      }
    } finally {
      nat.close(ruleset);
    }
    LOG.debug("Landlock ABI {} applied: exec {}, writable {}", abi, executables,
        allowlist.restrictWrites() ? writable : "unrestricted");
    return new LandlockStatus(abi, handled, executables, allowlist.restrictWrites() ? writable : List.of(),
        allowlist.restrictWrites());
  }

  private static void addRule(LinuxNative nat, int ruleset, Path p, long rights) throws LandlockException {
    int fd;
    try {
      fd = nat.openPath(p.toString());
    } catch (ErrnoException e) {
      throw new LandlockException("cannot open " + p + " for a Landlock rule: " + e.getMessage(), e);
    }
    try {
      nat.landlockAddPathBeneath(ruleset, fd, rights);
    } catch (ErrnoException e) {
      throw new LandlockException("kernel refused the Landlock rule for " + p + ": " + e.getMessage(), e);
    } finally {
      nat.close(fd);
    }
  }
}
