package dev.secureyeoman.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file replacement: content is written to a temporary file in the target's directory (mode {@code 0600} from
 * creation on POSIX file systems, by {@link OwnerOnlyFiles#createTempFile}), flushed with {@code fsync}, renamed over the target atomically, and the directory is
 * synced so the rename itself is durable.
 *
 * <p>Guarantee: a reader sees either the complete old content or the complete new content, never a partial file, even
 * when the writer fails mid-way or the process dies. On failure the temporary file is deleted and the target is untouched.
 *
 * <p>Non-goals: no locking between concurrent writers (the last rename wins) and no protection against another process
 * that already holds the old file open.
 */
public final class AtomicFiles {

  /** Writes content to an output stream; may throw to abort the write (the target then stays untouched). */
  @FunctionalInterface
  public interface ContentWriter {
    /**
     * Writes the whole content.
     *
     * @param out the stream of the temporary file; do not close it
     * @throws IOException to abort the write
     */
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  /**
   * Atomically replaces (or creates) {@code target} with {@code content}, mode {@code 0600}.
   *
   * @param target the file to write
   * @param content the complete new content
   * @throws IOException if the write, sync or rename failed; the target is then unchanged
   */
  public static void write(Path target, byte[] content) throws IOException {
    if (content == null) {
      throw new IllegalArgumentException("content must not be null");
    }
    write(target, out -> out.write(content), true);
  }

  /**
   * Atomically creates {@code target} with {@code content}, mode {@code 0600}, failing if it already exists.
   *
   * @param target the file to create
   * @param content the complete content
   * @throws FileAlreadyExistsException if {@code target} exists (checked atomically by a hard link)
   * @throws IOException if the write, sync or link failed; no file is left behind
   */
  public static void writeNew(Path target, byte[] content) throws IOException {
    if (content == null) {
      throw new IllegalArgumentException("content must not be null");
    }
    write(target, out -> out.write(content), false);
  }

  /**
   * Atomically writes what {@code writer} produces to {@code target}, mode {@code 0600}.
   *
   * @param target the file to write
   * @param writer produces the content; if it throws, the target is untouched and the temporary file deleted
   * @param replaceExisting whether an existing target is replaced ({@code false}: fail with
   *     {@link FileAlreadyExistsException})
   * @throws NoSuchFileException naming the directory when the directory of {@code target} does not exist
   * @throws IOException if the writer, sync, rename or link failed
   */
  public static void write(Path target, ContentWriter writer, boolean replaceExisting) throws IOException {
    if (target == null) {
      throw new IllegalArgumentException("target must not be null");
    }
    if (writer == null) {
      throw new IllegalArgumentException("writer must not be null");
    }
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    if (dir == null) {
      throw new IllegalArgumentException("target must have a parent directory: " + target);
    }
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    String name = absolute.getFileName().toString();
    String prefix = "." + (name.length() > 48 ? name.substring(0, 48) : name) + ".";
    Path tmp;
    try {
      tmp = OwnerOnlyFiles.createTempFile(dir, prefix, ".tmp");
    } catch (NoSuchFileException e) {
      // the JDK names the random temporary file, which tells the operator nothing: name the missing directory
      throw new NoSuchFileException(dir.toString(), null, "directory for " + name + " does not exist");
    }
    boolean done = false;
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        OutputStream out = Channels.newOutputStream(channel);
        writer.writeTo(out);
        out.flush();
        channel.force(true);
      }
      if (replaceExisting) {
        Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        // link(2) fails atomically when the target exists, unlike rename(2)
        Files.createLink(absolute, tmp);
        Files.delete(tmp);
      }
      done = true;
      if (posix) {
        try (FileChannel dirChannel = FileChannel.open(dir, StandardOpenOption.READ)) {
          dirChannel.force(true);
        }
      }
    } finally {
      if (!done) {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
