package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.SandboxException;
import dev.secureyeoman.sandbox.internal.nativ.ErrnoException;
import dev.secureyeoman.sandbox.internal.nativ.JnaLinuxNative;
import dev.secureyeoman.sandbox.internal.nativ.LinuxNative;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Kills every process of a run's own uid. A dedicated, short-lived platform thread switches its own credentials (the raw
 * {@code setresuid}, which affects that thread only) to the uid, checks that it holds no effective capability, sends
 * {@code kill(-1, SIGKILL)} — which the kernel delivers to exactly the processes that uid may signal, i.e. the
 * processes of that uid — and switches back. No pid is read first, so no recycled pid can be hit. Repeated until
 * {@code /proc} shows no live process of the uid (a process forking between two rounds is caught by the next).
 */
public final class UidReaper {
  private static final int SIGKILL = 9;
  private static final int ROUNDS = 1000;

  private UidReaper() {}

  /**
   * Kills every process of the uid and waits until none is left.
   *
   * @param uid a uid of the run's own (never one shared with anything else)
   * @return how many distinct processes were found alive and killed
   * @throws SandboxException with {@link SandboxException.Reason#TEARDOWN_FAILED} when processes survive
   */
  public static int killAll(int uid) throws SandboxException {
    if (uid <= 0) {
      throw new IllegalArgumentException("refusing to reap uid " + uid);
    }
    Path proc = Path.of("/proc");
    Set<Long> seen = new HashSet<>();
    for (int round = 0; round < ROUNDS; round++) {
      List<Long> alive = UidProcesses.of(proc, uid);
      if (alive.isEmpty()) {
        return seen.size();
      }
      seen.addAll(alive);
      signalAsUid(uid);
      Thread.onSpinWait();
      if (round > 10) {
        try {
          Thread.sleep(1); // killed processes need their parent (or init) to reap them; give the CPU away
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new SandboxException(
        SandboxException.Reason.TEARDOWN_FAILED,
        "processes of the run's uid " + uid + " are still alive after SIGKILL: " + UidProcesses.of(proc, uid));
  }

  /** {@code kill(-1, SIGKILL)} as the uid, from a thread of its own. */
  private static void signalAsUid(int uid) throws SandboxException {
    LinuxNative nat;
    try {
      nat = JnaLinuxNative.load();
    } catch (UnsupportedOperationException e) {
      throw new SandboxException(SandboxException.Reason.TEARDOWN_FAILED, "cannot signal uid " + uid, e);
    }
    AtomicReference<String> failure = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                nat.setresuidThisThread(uid, uid, 0);
              } catch (ErrnoException e) {
                failure.set("setresuid: " + e.getMessage());
                return;
              }
              try {
                if (!noEffectiveCapabilities()) {
                  failure.set("the thread kept effective capabilities after setresuid; not signalling");
                  return;
                }
                nat.kill(-1, SIGKILL);
              } catch (ErrnoException e) {
                if (e.errno() != 3) { // ESRCH: nothing (left) to signal
                  failure.set("kill: " + e.getMessage());
                }
              } finally {
                try {
                  nat.setresuidThisThread(0, 0, 0);
                } catch (ErrnoException e) {
                  // the thread ends right here either way
                }
              }
            },
            "sandbox-uid-reaper-" + uid);
    t.setDaemon(true);
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SandboxException(SandboxException.Reason.TEARDOWN_FAILED, "interrupted while killing uid " + uid, e);
    }
    if (failure.get() != null) {
      throw new SandboxException(
          SandboxException.Reason.TEARDOWN_FAILED, "cannot kill the processes of uid " + uid + ": " + failure.get());
    }
  }

  private static boolean noEffectiveCapabilities() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("CapEff:")) {
          return Long.parseUnsignedLong(line.substring(7).trim(), 16) == 0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return false;
    }
    return false;
  }
}
