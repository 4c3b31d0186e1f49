package dev.secureyeoman.testkit.internal;

import dev.secureyeoman.testkit.TestkitException;
import dev.secureyeoman.testkit.TestkitException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A non-root user a server runs as, with its numeric ids (looked up once with {@code id}, so NSS users work too).
 *
 * @param name the user name
 * @param uid its user id
 * @param gid its primary group id
 */
public record RunAs(String name, int uid, int gid) {
  /**
   * Whether this JVM runs as root (effective uid 0).
   *
   * @return true for root
   */
  public static boolean currentIsRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /**
   * Looks {@code name} up.
   *
   * @param name a user name
   * @param why what the user is for, for the error message
   * @return the user
   * @throws TestkitException with {@link Reason#MISSING_USER} if there is no such user, or if it is root
   */
  public static RunAs lookUp(String name, String why) {
    Commands.Result uid = Commands.run(List.of("id", "-u", name), Duration.ofSeconds(10));
    Commands.Result gid = Commands.run(List.of("id", "-g", name), Duration.ofSeconds(10));
    if (uid.exitCode() != 0 || gid.exitCode() != 0) {
      throw new TestkitException(Reason.MISSING_USER, "user '" + name + "' does not exist; " + why);
    }
    int u = Integer.parseInt(uid.output().trim());
    if (u == 0) {
      throw new TestkitException(Reason.MISSING_USER, "user '" + name + "' is root; " + why);
    }
    return new RunAs(name, u, Integer.parseInt(gid.output().trim()));
  }
}
