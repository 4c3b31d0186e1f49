package dev.secureyeoman.integrations.media;

import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A downloaded, checked file in the handler's private directory. {@link #close()} deletes it; a handle that becomes
 * unreachable without being closed is deleted by a {@link Cleaner} as a safety net, and files of crashed processes by the
 * handler's sweeper.
 *
 * <p>The file is {@code 0600} under a {@code 0700} directory and its name was generated here; {@link #originalFileName()}
 * is the platform's name, untrusted metadata for display only. Do not move the file out of the directory: close the
 * handle when done and copy the bytes if they must live longer.
 */
public final class MediaHandle implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();

  private final Path path;
  private final String platform;
  private final long size;
  private final String contentType;
  private final String declaredType;
  private final String originalFileName;
  private final String sha256;
  private final ScanResult scanResult;
  private final Cleaner.Cleanable cleanable;

  MediaHandle(
      Path path,
      String platform,
      long size,
      String contentType,
      String declaredType,
      String originalFileName,
      String sha256,
      ScanResult scanResult,
      Runnable deleteAction) {
    this.path = path;
    this.platform = platform;
    this.size = size;
    this.contentType = contentType;
    this.declaredType = declaredType;
    this.originalFileName = originalFileName;
    this.sha256 = sha256;
    this.scanResult = scanResult;
    // the action must not reference this handle, or the handle would never become unreachable
    this.cleanable = CLEANER.register(this, deleteAction);
  }

  /**
   * Returns where the file is.
   *
   * @return a path inside the handler's run directory
   */
  public Path path() {
    return path;
  }

  /**
   * Returns the platform the file came from.
   *
   * @return the platform id
   */
  public String platform() {
    return platform;
  }

  /**
   * Returns the size in bytes.
   *
   * @return the number of bytes written (≤ the policy's cap)
   */
  public long size() {
    return size;
  }

  /**
   * Returns the type recognised from the content's magic bytes.
   *
   * @return for example {@code image/png}, or {@code application/octet-stream}
   */
  public String contentType() {
    return contentType;
  }

  /**
   * Returns the type the platform declared (normalised), if any.
   *
   * @return the declared type
   */
  public Optional<String> declaredType() {
    return Optional.ofNullable(declaredType);
  }

  /**
   * Returns the platform's file name: untrusted metadata, never used in a path.
   *
   * @return the name as the platform gave it
   */
  public Optional<String> originalFileName() {
    return Optional.ofNullable(originalFileName);
  }

  /**
   * Returns the SHA-256 of the content.
   *
   * @return lower-case hex
   */
  public String sha256() {
    return sha256;
  }

  /**
   * Returns the scanner's verdict: {@code CLEAN}, or {@code ERROR} when the policy fails open; empty when the handler was
   * built {@linkplain MediaHandler.Builder#withoutScanning() without scanning}.
   *
   * @return the verdict
   */
  public Optional<ScanResult> scanResult() {
    return Optional.ofNullable(scanResult);
  }

  /** Deletes the file. Idempotent. */
  @Override
  public void close() {
    cleanable.clean();
  }

  @Override
  public String toString() {
    return "MediaHandle[" + platform + ", " + contentType + ", " + size + " bytes, sha256=" + sha256 + "]";
  }
}
