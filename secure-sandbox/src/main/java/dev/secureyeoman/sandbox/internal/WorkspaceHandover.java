package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.SandboxException;
import dev.secureyeoman.sandbox.internal.nativ.ErrnoException;
import dev.secureyeoman.sandbox.internal.nativ.JnaLinuxNative;
import dev.secureyeoman.sandbox.internal.nativ.LinuxNative;
import dev.secureyeoman.sandbox.internal.nativ.LinuxNative.FileStat;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * uid goes back to the owner.
 *
 * <p>Nothing is done by path. The workspace is opened component by component from {@code /} without following any
 * symlink ({@code O_PATH | O_NOFOLLOW}), and that descriptor is what the backends bind ({@link #descriptorPath()}) and
 * what both walks start from. Each entry is opened relative to its parent's descriptor without following it, checked
 * with {@code statx} on that descriptor and changed with {@code fchownat(fd, "", AT_EMPTY_PATH)}: the file checked is
 * the file changed, whatever a racing process renames or swaps for a symlink meanwhile, and no path is ever longer
 * than {@code /proc/self/fd/N/NAME} (no {@code PATH_MAX} limit). Trees deeper than {@link #MAX_DEPTH} are refused
 * before the run; after it, entries below that depth stay with the run's uid, which is then kept out of the pool
 * ({@link #close()} returns false).
 */
public final class WorkspaceHandover implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkspaceHandover.class);
  private static final Set<Path> IN_USE = ConcurrentHashMap.newKeySet();
  private static final int AT_FDCWD = -100;

  /** How deep the hand-over descends (one descriptor per level is open while it walks). */
  public static final int MAX_DEPTH = 256;

  /** Test seam: runs after an entry was checked and before it is chowned (a racing host process acts here). */
  static volatile java.util.function.Consumer<String> beforeChown = rel -> {};

  private final LinuxNative nat;
  private final Path workspace;
  private final int rootFd;
  private final int ownerUid;
  private final int ownerGid;
  private final Identity run;
  private final List<String> warnings;
  private boolean closed;
  private boolean complete = true;

  private WorkspaceHandover(
      LinuxNative nat, Path workspace, int rootFd, int ownerUid, int ownerGid, Identity run, List<String> warnings) {
    this.nat = nat;
    this.workspace = workspace;
    this.rootFd = rootFd;
    this.ownerUid = ownerUid;
    this.ownerGid = ownerGid;
    this.run = run;
    this.warnings = List.copyOf(warnings);
  }

  /**
   * Hands a workspace to a run's identity.
   *
   * @param workspace an existing directory; no component of the path may be a symlink
   * @param run the run's identity
   * @param poolMember tells whether a uid belongs to the sandbox identity pool
   * @return the handover; close it after the run's teardown
   * @throws SandboxException with {@link SandboxException.Reason#WORKSPACE} when the workspace is missing, reached
   *     through a symlink, nested deeper than {@link #MAX_DEPTH}, or owned by a pool uid (in use by another run, or
   *     left behind by a host that died during a run)
   */
  public static WorkspaceHandover give(Path workspace, Identity run, IntPredicate poolMember) throws SandboxException {
    LinuxNative nat;
    try {
      nat = JnaLinuxNative.load();
    } catch (UnsupportedOperationException e) {
      throw new SandboxException(
          SandboxException.Reason.WORKSPACE, "cannot hand workspace " + workspace + " over: " + e.getMessage(), e);
    }
    int fd = openDirectory(nat, workspace);
    FileStat st;
    try {
      st = nat.fstat(fd);
    } catch (ErrnoException e) {
      nat.close(fd);
      throw new SandboxException(SandboxException.Reason.WORKSPACE, "cannot inspect workspace " + workspace, e);
    }
    if (poolMember.test(st.uid())) {
      nat.close(fd);
      throw new SandboxException(
          SandboxException.Reason.WORKSPACE,
          "workspace "
              + workspace
              + " belongs to sandbox uid "
              + st.uid()
              + ": another run is using it, or the host process died during a run; when no run is using it, chown it"
              + " back to its owner");
    }
    if (!IN_USE.add(workspace)) {
      nat.close(fd);
      throw new SandboxException(
          SandboxException.Reason.WORKSPACE, "workspace " + workspace + " is in use by another run of this JVM");
    }
    List<String> warnings = new ArrayList<>();
    WorkspaceHandover h = new WorkspaceHandover(nat, workspace, fd, st.uid(), st.gid(), run, warnings);
    Walk give = h.new Walk(st.uid(), run.uid(), run.gid(), true, warnings);
    try {
      give.entry(fd, ".", 0);
      if (give.tooDeep) {
        throw new IOException("it nests deeper than " + MAX_DEPTH + " directories");
      }
    } catch (IOException | ErrnoException e) {
      h.close();
      throw new SandboxException(
          SandboxException.Reason.WORKSPACE,
          "cannot hand workspace " + workspace + " to the run's uid " + run.uid() + ": " + e.getMessage(),
          e);
    }
    return new WorkspaceHandover(nat, workspace, fd, st.uid(), st.gid(), run, warnings);
  }

  /** Opens every component from {@code /} with {@code O_NOFOLLOW}: a symlink anywhere in the path is refused. */
  private static int openDirectory(LinuxNative nat, Path workspace) throws SandboxException {
    Path abs = workspace.toAbsolutePath().normalize();
    int fd = -1;
    try {
      fd = nat.openNoFollow(AT_FDCWD, "/");
      for (Path name : abs) {
        int next = nat.openNoFollow(fd, name.toString());
        nat.close(fd);
        fd = next;
        if (!nat.fstat(fd).isDirectory()) {
          throw new SandboxException(
              SandboxException.Reason.WORKSPACE,
              "workspace " + workspace + " is not a directory reached without symlinks (" + name
                  + " is not a directory; symlinks are refused)");
        }
      }
      return fd;
    } catch (ErrnoException e) {
      throw new SandboxException(
          SandboxException.Reason.WORKSPACE, "workspace " + workspace + " is not an existing directory", e);
    } catch (SandboxException e) {
      nat.close(fd);
      throw e;
    }
  }

  /**
   * Warnings from the handover (files left alone).
   *
   * @return the warnings
   */
  public List<String> warnings() {
    return warnings;
  }

  /**
   * A path naming the workspace directory that was checked, for the backends: {@code /proc/<jvm pid>/fd/<fd>}. Opening
   * it (as root) yields exactly that directory, whatever happened to the workspace's path since.
   *
   * @return the path, valid until {@link #close()}
   */
  public String descriptorPath() {
    return "/proc/" + ProcessHandle.current().pid() + "/fd/" + rootFd;
  }

  /** One direction of the hand-over. */
  private final class Walk {
    final int from;
    final int toUid;
    final int toGid;
    final boolean singleLinkOnly;
    final List<String> warnings;
    boolean tooDeep;

    Walk(int from, int toUid, int toGid, boolean singleLinkOnly, List<String> warnings) {
      this.from = from;
      this.toUid = toUid;
      this.toGid = toGid;
      this.singleLinkOnly = singleLinkOnly;
      this.warnings = warnings;
    }

    /** Handles the entry open on {@code fd} (named {@code rel}), then its children when it is a directory. */
    void entry(int fd, String rel, int depth) throws ErrnoException, IOException {
      FileStat st = nat.fstat(fd);
      if (st.uid() == from) {
        if (singleLinkOnly && !st.isDirectory() && !st.isSymlink() && st.nlink() > 1) {
          warnings.add("workspace file " + rel + " has several hard links and was not handed to the run");
        } else {
          beforeChown.accept(rel);
          nat.fchown(fd, toUid, toGid);
        }
      }
      if (!st.isDirectory()) {
        return;
      }
      if (depth >= MAX_DEPTH) {
        tooDeep = true;
        return;
      }
      List<String> names = new ArrayList<>();
      try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of("/proc/self/fd/" + fd))) {
        for (Path p : s) {
          names.add(p.getFileName().toString());
        }
      }
      for (String name : names) {
        int child;
        try {
          child = nat.openNoFollow(fd, name);
        } catch (ErrnoException e) {
          warnings.add("workspace entry " + child(rel, name) + " could not be opened: " + e.getMessage());
          continue;
        }
        try {
          entry(child, child(rel, name), depth + 1);
        } finally {
          nat.close(child);
        }
      }
    }

    private String child(String rel, String name) {
      return rel.equals(".") ? name : rel + "/" + name;
    }
  }

  /**
   * Hands the workspace back to its owner (after the run's processes are gone).
   *
   * @return whether every entry of the run's uid went back; false when some could not (too deep, unreadable), and the
   *     run's uid must then not be handed to another run
   */
  public synchronized boolean giveBack() {
    if (closed) {
      return complete;
    }
    closed = true;
    List<String> problems = new ArrayList<>();
    Walk back = new Walk(run.uid(), ownerUid, ownerGid, false, problems);
    try {
      back.entry(rootFd, ".", 0);
    } catch (IOException | ErrnoException e) {
      problems.add(e.getMessage());
    }
    if (back.tooDeep) {
      problems.add("entries deeper than " + MAX_DEPTH + " directories stay with uid " + run.uid());
    }
    if (!problems.isEmpty()) {
      complete = false;
      LOG.error("workspace {} was not completely handed back to {}:{}: {}", workspace, ownerUid, ownerGid, problems);
    }
    nat.close(rootFd);
    IN_USE.remove(workspace);
    return complete;
  }

  /** Hands the workspace back to its owner (after the run's processes are gone); see {@link #giveBack()}. */
  @Override
  public void close() {
    giveBack();
  }
}
