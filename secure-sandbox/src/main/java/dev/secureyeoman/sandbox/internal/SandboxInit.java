package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.internal.nativ.ErrnoException;
import dev.secureyeoman.sandbox.internal.nativ.JnaLinuxNative;
import dev.secureyeoman.sandbox.internal.nativ.LinuxNative;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The init (pid 1) of a bwrap sandbox's pid namespace, as bwrap's monitor reported it before the sandbox ran ({@code
 * --json-status-fd}): its host pid and the inode of its pid namespace. Killing it from the host ends every process of
 * the namespace (the kernel kills them all when a namespace's init dies, and no process can leave a pid namespace); the
 * init cannot ignore a SIGKILL sent from an ancestor namespace, whatever it did to its own memory. {@link #open()} takes a
 * pidfd while the init is known to be alive (bwrap writes the status before it lets the sandbox run) and checks the
 * namespace inode, so signals never reach a recycled pid, and waiting for the init's exit needs no polling. Without
 * pidfds (JNA unavailable, kernel before 5.3) the inode is checked before every signal and {@code /proc} is polled.
 *
 * @param pid host pid of the sandbox's init
 * @param pidNamespace inode of its pid namespace
 */
public record SandboxInit(long pid, long pidNamespace) {
  private static final Pattern CHILD_PID = Pattern.compile("\"child-pid\": (\\d+)");
  private static final Pattern PID_NS = Pattern.compile("\"pid-namespace\": (\\d+)");

  /** Marker of bwrap's first status document. */
  static final String STATUS_PREFIX = "{ \"child-pid\": ";

  /** bwrap's last status document, removed from the captured standard error. */
  static final Pattern EXIT_CODE_LINE = Pattern.compile("\\{ \"exit-code\": \\d+ \\}\n");

  /**
   * Parses bwrap's first status document.
   *
   * @param line the first line bwrap's monitor wrote to the status fd
   * @return the init, empty when the line is not a status document
   */
  static Optional<SandboxInit> parse(String line) {
    if (!line.startsWith(STATUS_PREFIX)) {
      return Optional.empty();
    }
    Matcher pid = CHILD_PID.matcher(line);
    Matcher ns = PID_NS.matcher(line);
    if (!pid.find() || !ns.find()) {
      return Optional.empty();
    }
    return Optional.of(new SandboxInit(Long.parseLong(pid.group(1)), Long.parseLong(ns.group(1))));
  }

  /**
   * Tells whether the init still runs in its namespace (not a zombie, not a recycled pid).
   *
   * @return whether it is alive
   */
  boolean alive() {
    Path proc = Path.of("/proc", Long.toString(pid));
    try {
      if (!Files.readSymbolicLink(proc.resolve("ns/pid")).toString().equals("pid:[" + pidNamespace + "]")) {
        return false;
      }
      String stat = Files.readString(proc.resolve("stat"));
      int close = stat.lastIndexOf(')');
      return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) != 'Z';
    } catch (IOException | UnsupportedOperationException e) {
      return false; // gone, or a zombie without namespaces
    }
  }

  /**
   * Takes a handle on the init.
   *
   * @return the handle (without a pidfd when pidfds are unavailable)
   */
  Handle open() {
    LinuxNative nat;
    try {
      nat = JnaLinuxNative.load();
    } catch (RuntimeException | LinkageError e) {
      return new Handle(this, null, -1);
    }
    int fd;
    try {
      fd = nat.pidfdOpen(pid);
    } catch (ErrnoException e) {
      return new Handle(this, null, -1);
    }
    if (!alive()) { // the pid was already recycled, or the init is gone: nothing to hold
      nat.close(fd);
      return new Handle(this, null, -2);
    }
    return new Handle(this, nat, fd);
  }

  /** A pidfd on the init, or the {@code /proc} fallback. */
  static final class Handle implements AutoCloseable {
    private final SandboxInit init;
    private final @Nullable LinuxNative nat;
    private final int fd; // -1 no pidfd, -2 gone at open
    private boolean closed;

    /** The native access that opened {@code fd} (a pidfd, so {@code fd >= 0}). */
    private LinuxNative nativeHandle() {
      return Objects.requireNonNull(nat, "a pidfd is only held together with its native access");
    }

    Handle(SandboxInit init, @Nullable LinuxNative nat, int fd) {
      this.init = init;
      this.nat = nat;
      this.fd = fd;
    }

    SandboxInit init() {
      return init;
    }

    synchronized void kill() {
      if (closed) {
        return;
      }
      if (fd >= 0) {
        try {
          nativeHandle().pidfdSendSignal(fd, 9);
        } catch (ErrnoException e) {
          // ESRCH: it exited already
        }
      } else if (fd == -1) {
        init.kill();
      }
    }

    synchronized boolean awaitGone(long timeoutNanos) {
      if (fd == -2 || closed) {
        return true;
      }
      if (fd < 0) {
        return init.awaitGone(timeoutNanos);
      }
      try {
        return nativeHandle().pollReadable(fd, (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
      } catch (ErrnoException e) {
        return init.awaitGone(timeoutNanos);
      }
    }

    /** Closes the pidfd once (a second close could hit a descriptor number reused meanwhile). */
    @Override
    public synchronized void close() {
      if (!closed && fd >= 0) {
        nativeHandle().close(fd);
      }
      closed = true;
    }
  }

  /** Sends SIGKILL when the pid still belongs to the init's namespace. */
  void kill() {
    if (alive()) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /**
   * Waits until the init is gone (its namespace is empty by then).
   *
   * @param timeoutNanos how long to wait
   * @return whether it is gone
   */
  boolean awaitGone(long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    long park = 20_000;
    while (alive()) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      LockSupport.parkNanos(park);
      park = Math.min(park * 2, TimeUnit.MILLISECONDS.toNanos(2));
    }
    return true;
  }
}
