package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.SandboxException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a workspace to a run's own uid for the duration of the run and back to its owner afterwards.
 *
 * <p>Before the run, the workspace directory and every entry in it that belongs to the workspace's owner is changed
 * to the run's uid and gid — directories, symlinks (the link itself) and regular files with a single link. A file with
 * more than one hard link is left alone, so a hard link planted by an earlier run cannot make the runner chown a file
 * outside the workspace. After the run (whose processes are all gone by then), every entry that belongs to the run's
 * uid goes back to the owner. Links are never followed ({@code lchown}).
 */
public final class WorkspaceHandover implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkspaceHandover.class);
  private static final Set<Path> IN_USE = ConcurrentHashMap.newKeySet();

  private final Path workspace;
  private final int ownerUid;
  private final int ownerGid;
  private final Identity run;
  private final List<String> warnings;
  private boolean closed;

  private WorkspaceHandover(Path workspace, int ownerUid, int ownerGid, Identity run, List<String> warnings) {
    this.workspace = workspace;
    this.ownerUid = ownerUid;
    this.ownerGid = ownerGid;
    this.run = run;
    this.warnings = List.copyOf(warnings);
  }

  /**
   * Hands a workspace to a run's identity.
   *
   * @param workspace an existing directory (not a symlink)
   * @param run the run's identity
   * @param poolMember tells whether a uid belongs to the sandbox identity pool
   * @return the handover; close it after the run's teardown
   * @throws SandboxException with {@link SandboxException.Reason#WORKSPACE} when the workspace is missing, a symlink,
   *     or owned by a pool uid (in use by another run, or left behind by a host that died during a run)
   */
  public static WorkspaceHandover give(Path workspace, Identity run, IntPredicate poolMember) throws SandboxException {
    Map<String, Object> attrs;
    try {
      attrs = Files.readAttributes(workspace, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new SandboxException(
          SandboxException.Reason.WORKSPACE, "workspace " + workspace + " is not an existing directory", e);
    }
    if (!Files.isDirectory(workspace, LinkOption.NOFOLLOW_LINKS)) {
      throw new SandboxException(
          SandboxException.Reason.WORKSPACE, "workspace " + workspace + " is not a directory (symlinks are refused)");
    }
    int uid = (Integer) attrs.get("uid");
    int gid = (Integer) attrs.get("gid");
    if (poolMember.test(uid)) {
      throw new SandboxException(
          SandboxException.Reason.WORKSPACE,
          "workspace "
              + workspace
              + " belongs to sandbox uid "
              + uid
              + ": another run is using it, or the host process died during a run; when no run is using it, chown it"
              + " back to its owner");
    }
    if (!IN_USE.add(workspace)) {
      throw new SandboxException(
          SandboxException.Reason.WORKSPACE, "workspace " + workspace + " is in use by another run of this JVM");
    }
    List<String> warnings = new ArrayList<>();
    try {
      chownTree(workspace, uid, run.uid(), run.gid(), true, warnings);
    } catch (IOException e) {
      IN_USE.remove(workspace);
      WorkspaceHandover undo = new WorkspaceHandover(workspace, uid, gid, run, warnings);
      undo.giveBack();
      throw new SandboxException(
          SandboxException.Reason.WORKSPACE,
          "cannot hand workspace " + workspace + " to the run's uid " + run.uid() + ": " + e.getMessage(),
          e);
    }
    return new WorkspaceHandover(workspace, uid, gid, run, warnings);
  }

  /**
   * Warnings from the handover (files left alone).
   *
   * @return the warnings
   */
  public List<String> warnings() {
    return warnings;
  }

  private static void chownTree(Path root, int from, int toUid, int toGid, boolean singleLinkOnly, List<String> warnings)
      throws IOException {
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
            visit(dir, true);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
            visit(file, a.isDirectory());
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            warnings.add("workspace entry " + root.relativize(file) + " could not be read: " + e.getMessage());
            return FileVisitResult.CONTINUE;
          }

          private void visit(Path p, boolean dir) throws IOException {
            Map<String, Object> at = Files.readAttributes(p, "unix:uid,nlink", LinkOption.NOFOLLOW_LINKS);
            if ((Integer) at.get("uid") != from) {
              return;
            }
            if (singleLinkOnly && !dir && !Files.isSymbolicLink(p) && (Integer) at.get("nlink") > 1) {
              warnings.add(
                  "workspace file " + root.relativize(p) + " has several hard links and was not handed to the run");
              return;
            }
            Files.setAttribute(p, "unix:gid", toGid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:uid", toUid, LinkOption.NOFOLLOW_LINKS);
          }
        });
  }

  private void giveBack() {
    try {
      chownTree(workspace, run.uid(), ownerUid, ownerGid, false, new ArrayList<>());
    } catch (IOException e) {
      LOG.error("cannot hand workspace {} back to {}:{}: {}", workspace, ownerUid, ownerGid, e.toString());
    }
  }

  /** Hands the workspace back to its owner (after the run's processes are gone). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    giveBack();
    IN_USE.remove(workspace);
  }
}
