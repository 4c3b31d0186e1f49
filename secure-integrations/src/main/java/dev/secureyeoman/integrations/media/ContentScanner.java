package dev.secureyeoman.integrations.media;

import java.nio.file.Path;

/**
 * Scans a downloaded file for malware. The {@link MediaHandler} calls it after the size and type checks and before it
 * hands the file on; {@link ScanResult.Verdict#INFECTED} always rejects, {@link ScanResult.Verdict#ERROR} rejects unless
 * the {@link MediaPolicy} was built with {@code failOpenOnScanError(true)}.
 *
 * <p>Implementations must be thread-safe, must not modify or move the file, and should report failures as
 * {@link ScanResult#error(String)} rather than throw; a {@link RuntimeException} is treated as an error verdict.
 * {@link ClamdScanner} talks to a clamd daemon.
 */
@FunctionalInterface
public interface ContentScanner {

  /**
   * Scans a file.
   *
   * @param file a regular file, readable by this process
   * @return the verdict
   * @throws InterruptedException if the calling thread was interrupted while waiting for the scanner
   */
  ScanResult scan(Path file) throws InterruptedException;
}
