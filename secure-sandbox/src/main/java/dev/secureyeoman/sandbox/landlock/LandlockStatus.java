package dev.secureyeoman.sandbox.landlock;

import java.nio.file.Path;
import java.util.List;

/**
 * What the kernel applied to the calling thread.
 *
 * @param abi the Landlock ABI version the ruleset was built for
 * @param handledAccessFs the filesystem rights the ruleset restricts ({@code LANDLOCK_ACCESS_FS_*} bits)
 * @param executables everything that may be executed, including the implicit entries (dynamic loaders, script
 *     interpreters, the JDK's {@code jspawnhelper})
 * @param writable files and directories that may be written; empty with {@code writesRestricted} means no writes
 * @param writesRestricted whether writes outside {@code writable} are refused
 */
public record LandlockStatus(int abi, long handledAccessFs, List<Path> executables, List<Path> writable,
    boolean writesRestricted) {
  /**
   * Copies the lists.
   *
   * @param abi ABI version
   * @param handledAccessFs handled rights
   * @param executables executable paths
   * @param writable writable paths
   * @param writesRestricted whether writes are restricted
   */
  public LandlockStatus {
    executables = List.copyOf(executables);
    writable = List.copyOf(writable);
  }
}
