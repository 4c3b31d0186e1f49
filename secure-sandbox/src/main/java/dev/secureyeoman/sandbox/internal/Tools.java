package dev.secureyeoman.sandbox.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Looks up host executables on an explicit search path (never the process environment). */
public final class Tools {

  /** Search path used when the host does not inject one. */
  public static final List<Path> DEFAULT_SEARCH_PATH =
      List.of(
          Path.of("/usr/local/sbin"),
          Path.of("/usr/local/bin"),
          Path.of("/usr/sbin"),
          Path.of("/usr/bin"),
          Path.of("/sbin"),
          Path.of("/bin"));

  private final List<Path> searchPath;

  /**
   * Creates a lookup.
   *
   * @param searchPath directories searched in order
   */
  public Tools(List<Path> searchPath) {
    this.searchPath = List.copyOf(searchPath);
  }

  /**
   * Returns the search path.
   *
   * @return directories
   */
  public List<Path> searchPath() {
    return searchPath;
  }

  /**
   * Finds an executable regular file.
   *
   * @param name file name
   * @return its real absolute path, or empty
   */
  public Optional<Path> find(String name) {
    for (Path dir : searchPath) {
      Path p = dir.resolve(name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        try {
          // the real path: a symlink farm under /tmp would vanish behind the sandbox's fresh /tmp
          return Optional.of(p.toRealPath());
        } catch (IOException e) {
          continue;
        }
      }
    }
    return Optional.empty();
  }
}
