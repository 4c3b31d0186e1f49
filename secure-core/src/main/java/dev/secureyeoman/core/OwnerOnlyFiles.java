package dev.secureyeoman.core;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Creates files readable only by their owner: files mode {@code 0600}, directories mode {@code 0700}. For crash-safe
 * replacement of a file's content (temporary file, {@code fsync}, rename) use {@link AtomicFiles}, which creates its
 * temporary files through this class.
 *
 * <p>Security guarantee: on a POSIX file system the mode is passed to {@code open(2)}/{@code mkdir(2)} with {@code
 * O_CREAT|O_EXCL}, so the file never exists with a wider mode, even for an instant, whatever the process umask: there
 * is no create-then-{@code chmod} window in which another user could open it. The umask can only remove bits; when it
 * removed owner bits, the mode is then made exactly {@code 0600}/{@code 0700} (which only adds owner bits).
 *
 * <p>Non-goals: no protection on file systems without POSIX permissions (the file is created with the platform
 * default); directories that already exist are left as they are (they may be shared with the host application).
 */
public final class OwnerOnlyFiles {
  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

  private OwnerOnlyFiles() {}

  /**
   * Creates the new, empty file {@code file} with mode {@code 0600}.
   *
   * @param file the file to create
   * @throws FileAlreadyExistsException if {@code file} exists (including as a symbolic link, even a dangling one)
   * @throws IOException on any other I/O failure
   */
  public static void createFile(Path file) throws IOException {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    if (posix(file)) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE_MODE));
      exact(file, FILE_MODE);
    } else {
      Files.createFile(file);
    }
  }

  /**
   * Creates {@code file} with mode {@code 0600} if it does not exist, and narrows an existing regular file to exactly
   * {@code 0600}. A symbolic link is refused, even a dangling one: its target is not ours to create or {@code chmod}.
   *
   * @param file the file
   * @return whether the file was created by this call
   * @throws IOException on I/O failure, or if {@code file} is a symbolic link
   */
  public static boolean createFileIfAbsent(Path file) throws IOException {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    if (Files.isSymbolicLink(file)) {
      // never chmod (nor let a database write) through a link that someone with write access to the directory planted
      throw new IOException(file + " is a symbolic link; refusing to follow it");
    }
    try {
      createFile(file);
      return true;
    } catch (FileAlreadyExistsException e) {
      if (Files.isSymbolicLink(file)) {
        throw new IOException(file + " is a symbolic link; refusing to follow it");
      }
      if (posix(file) && !Files.getPosixFilePermissions(file).equals(FILE_MODE)) {
        Files.setPosixFilePermissions(file, FILE_MODE);
      }
      return false;
    }
  }

  /**
   * Creates {@code dir} and any missing parents, each created one with mode {@code 0700}; directories that already
   * exist are left as they are.
   *
   * @param dir the directory
   * @return {@code dir}
   * @throws IOException on I/O failure, e.g. when a path element exists and is not a directory
   */
  public static Path createDirectories(Path dir) throws IOException {
    if (dir == null) {
      throw new IllegalArgumentException("dir must not be null");
    }
    if (Files.isDirectory(dir)) {
      return dir;
    }
    if (posix(dir)) {
      return Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
    }
    return Files.createDirectories(dir);
  }

  /**
   * Creates a new, empty file with mode {@code 0600} and a random name in {@code dir}.
   *
   * @param dir the directory, which must exist
   * @param prefix the start of the file name
   * @param suffix the end of the file name
   * @return the new file
   * @throws IOException on I/O failure
   */
  public static Path createTempFile(Path dir, String prefix, String suffix) throws IOException {
    if (dir == null) {
      throw new IllegalArgumentException("dir must not be null");
    }
    if (!posix(dir)) {
      return Files.createTempFile(dir, prefix, suffix);
    }
    Path tmp = Files.createTempFile(dir, prefix, suffix, fileAttribute());
    exact(tmp, FILE_MODE);
    return tmp;
  }

  /**
   * The {@code 0600} attribute, for callers that create files through another {@code java.nio} method (e.g. {@code
   * Files.newByteChannel} with {@code CREATE_NEW}).
   *
   * @return the owner-read-write file attribute
   */
  public static FileAttribute<Set<PosixFilePermission>> fileAttribute() {
    return PosixFilePermissions.asFileAttribute(FILE_MODE);
  }

  private static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /** The umask may have removed owner bits (never added any): make the mode exact. */
  private static void exact(Path p, Set<PosixFilePermission> mode) throws IOException {
    if (!Files.getPosixFilePermissions(p).equals(mode)) {
      Files.setPosixFilePermissions(p, mode);
    }
  }
}
