package dev.secureyeoman.audit.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Creates files with owner-only permissions where the file system supports POSIX permissions. */
public final class Files0600 {
  private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_RWX = PosixFilePermissions.fromString("rwx------");

  private Files0600() {}

  /**
   * Creates {@code file} with mode 0600 if it does not exist; tightens an existing file to 0600. A symbolic link is
   * refused: its target is not ours to chmod.
   *
   * @param file the file
   * @return whether the file was created
   * @throws IOException on I/O failure, or if {@code file} is a symbolic link
   */
  public static boolean createIfAbsent(Path file) throws IOException {
    if (Files.isSymbolicLink(file)) {
      // never chmod (nor let SQLite write) through a link an attacker with write access to the directory planted
      throw new IOException(file + " is a symbolic link; refusing to follow it");
    }
    boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
    try {
      if (posix) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_RW));
        Files.setPosixFilePermissions(file, OWNER_RW); // the umask may have removed bits, never added: make it exact
      } else {
        Files.createFile(file);
      }
      return true;
    } catch (FileAlreadyExistsException e) {
      if (posix && !Files.getPosixFilePermissions(file).equals(OWNER_RW)) {
        Files.setPosixFilePermissions(file, OWNER_RW);
      }
      return false;
    }
  }

  /**
   * Creates {@code dir} and any missing parents with mode 0700 (existing directories are left as they are: they may be
   * shared with the host application).
   *
   * @param dir the directory
   * @throws IOException on I/O failure
   */
  public static void createDirectories0700(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_RWX));
    } else {
      Files.createDirectories(dir);
    }
  }
}
