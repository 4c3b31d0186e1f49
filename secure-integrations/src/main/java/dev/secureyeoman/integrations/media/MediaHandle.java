package dev.secureyeoman.integrations.media;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

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
  private final @Nullable String declaredType;
  private final @Nullable String originalFileName;
  private volatile @Nullable String sha256;
  private final @Nullable ScanResult scanResult;
  private final Cleaner.Cleanable cleanable;

  MediaHandle(
      Path path,
      String platform,
      long size,
      String contentType,
      @Nullable String declaredType,
      @Nullable String originalFileName,
      @Nullable ScanResult scanResult,
      Runnable deleteAction) {
    this.path = path;
    this.platform = platform;
    this.size = size;
    this.contentType = contentType;
    this.declaredType = declaredType;
    this.originalFileName = originalFileName;
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
   * Returns the platform's file name as a safe base name (no directories, control or bidi characters, leading dots or
   * device names; see {@link MediaRequest.Builder#fileName(String)}); never used in a path by the handler.
   *
   * @return the safe name
   */
  public Optional<String> originalFileName() {
    return Optional.ofNullable(originalFileName);
  }

  /**
   * Returns the SHA-256 of the content, computed from the file on first use (downloads do not pay for it unless asked).
   *
   * @return lower-case hex
   * @throws IOException if the file cannot be read (for example after {@link #close()})
   */
  public String sha256() throws IOException {
    String h = sha256;
    if (h == null) {
      MessageDigest md;
      try {
        md = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      byte[] buf = new byte[64 * 1024];
      try (InputStream in = Files.newInputStream(path)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          md.update(buf, 0, n);
        }
      }
      h = HexFormat.of().formatHex(md.digest());
      sha256 = h;
    }
    return h;
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
    return "MediaHandle[" + platform + ", " + contentType + ", " + size + " bytes]";
  }
}
