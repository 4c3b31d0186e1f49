package dev.secureyeoman.sandbox.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team item 2: a racing host process (the workspace's owner) swaps a directory of the workspace for a symlink
 * between the hand-over's check of an entry and its chown. Path-based chowns then follow the swapped-in link and give a
 * file outside the workspace to the run's uid (or back to the owner); descriptor-based ones cannot.
 */
class WorkspaceRaceTest {
  private static final int OWNER = 400_100;
  private static final Identity RUN = new Identity(400_200, 400_200);
  private static final IntPredicate POOL = uid -> uid >= 400_200 && uid < 400_210;

  @AfterEach
  void noHook() {
    WorkspaceHandover.beforeChown = rel -> {};
  }

  private static int owner(Path p) throws Exception {
    return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
  }

  private static void chown(Path p, int uid) throws Exception {
    Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
  }

  /** Swaps {@code ws/d} for a symlink to {@code outside} once the walk reaches {@code d/shadow}. */
  private static void swapWhenAt(String at, Path ws, Path outside) {
    WorkspaceHandover.beforeChown =
        rel -> {
          if (rel.equals(at)) {
            try {
              Files.move(ws.resolve("d"), ws.resolve("d.old"));
              Files.createSymbolicLink(ws.resolve("d"), outside);
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
        };
  }

  @Test
  void give_directorySwappedForSymlinkMidWalk_fileOutsideWorkspaceKeepsItsOwner(@TempDir Path tmp) throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")));
    Path ws = Files.createDirectory(tmp.resolve("ws"));
    Path d = Files.createDirectory(ws.resolve("d"));
    Path bait = Files.writeString(d.resolve("shadow"), "the owner's file");
    for (Path p : new Path[] {ws, d, bait}) {
      chown(p, OWNER);
    }
    Path etc = Files.createDirectory(tmp.resolve("etc"));
    Path shadow = Files.writeString(etc.resolve("shadow"), "root:secret");
    swapWhenAt("d/shadow", ws, etc);
    try (WorkspaceHandover h = WorkspaceHandover.give(ws, RUN, POOL)) {
      assertEquals(0, owner(shadow), "a root file outside the workspace was handed to the run's uid");
      assertEquals(RUN.uid(), owner(ws.resolve("d.old/shadow")), "the entry that was checked is the one handed over");
    }
    assertEquals(0, owner(shadow));
    assertEquals(OWNER, owner(ws.resolve("d.old/shadow")), "and it comes back to the owner");
  }

  @Test
  void giveBack_directorySwappedForSymlinkMidWalk_fileOutsideWorkspaceKeepsItsOwner(@TempDir Path tmp)
      throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")));
    Path ws = Files.createDirectory(tmp.resolve("ws"));
    chown(ws, OWNER);
    Path etc = Files.createDirectory(tmp.resolve("etc"));
    Path shadow = Files.writeString(etc.resolve("shadow"), "root:secret");
    chown(shadow, RUN.uid()); // as if a run's uid owned it: the give-back must not reach it through a swapped link
    WorkspaceHandover h = WorkspaceHandover.give(ws, RUN, POOL);
    // what the run left behind: d/shadow owned by the run
    Path d = Files.createDirectory(ws.resolve("d"));
    Path bait = Files.writeString(d.resolve("shadow"), "run output");
    chown(d, RUN.uid());
    chown(bait, RUN.uid());
    swapWhenAt("d/shadow", ws, etc);
    h.close();
    assertEquals(RUN.uid(), owner(shadow), "the give-back followed a swapped-in symlink out of the workspace");
    assertEquals(OWNER, owner(ws.resolve("d.old/shadow")));
  }
}
