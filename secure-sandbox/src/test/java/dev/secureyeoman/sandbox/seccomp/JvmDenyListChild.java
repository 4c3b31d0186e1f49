package dev.secureyeoman.sandbox.seccomp;

import java.lang.ref.WeakReference;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Main class of a child JVM launched by {@link JvmDenyListProcessTest}: a process-wide filter cannot be undone, so it
 * is never applied in the test runner's JVM. Prints {@code key=value} lines.
 */
public final class JvmDenyListChild {
  private JvmDenyListChild() {}

  /**
   * Entry point.
   *
   * @param args mode ({@code apply} or {@code tsync-conflict}), work directory, probe script
   * @throws Exception on unexpected failure (non-zero exit)
   */
  public static void main(String[] args) throws Exception {
    if ("tsync-conflict".equals(args[0])) {
      tsyncConflict();
      return;
    }
    Path workDir = Path.of(args[1]);
    Path script = Path.of(args[2]);
    CountDownLatch release = new CountDownLatch(1);
    Thread early = new Thread(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "started-before-filter");
    early.start();

    AppliedFilter applied = SeccompProfiles.jvmDenyList().applyToCurrentProcess();
    out("applied", applied.scope() + "," + applied.seccompMode() + "," + applied.noNewPrivs());

    int threads = 0;
    int filtered = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path t : tasks) {
        threads++;
        if (Files.readString(t.resolve("status")).contains("\nSeccomp:\t2\n")) {
          filtered++;
        }
      }
    }
    out("allThreadsFiltered", threads > 1 && threads == filtered ? "true" : filtered + "/" + threads);
    release.countDown();
    early.join();

    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      results.add(pool.submit(() -> Files.readString(Path.of("/proc/thread-self/status"))));
    }
    boolean newThreadsFiltered = true;
    for (Future<String> f : results) {
      newThreadsFiltered &= f.get().contains("\nSeccomp:\t2\n");
    }
    pool.shutdown();
    out("threads", "ok");
    out("newThreadsFiltered", String.valueOf(newThreadsFiltered));

    WeakReference<Object> probe = new WeakReference<>(new Object());
    List<byte[]> keep = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      keep.add(new byte[1 << 20]);
      if (keep.size() > 8) {
        keep.remove(0);
      }
    }
    for (int i = 0; i < 10 && probe.get() != null; i++) {
      System.gc();
    }
    out("gc", probe.get() == null ? "ok" : "no collection");

    int rc = new ProcessBuilder("/bin/true").start().waitFor();
    out("spawn", rc == 0 ? "ok" : "exit" + rc);

    for (Map.Entry<String, String> e : ProbeProcess.run(script, workDir).entrySet()) {
      out("child." + e.getKey(), e.getValue());
    }
    out("done", "true");
  }

  private static void tsyncConflict() throws Exception {
    CountDownLatch filteredLatch = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread other = new Thread(() -> {
      try {
        SeccompFilter.builder().defaultAction(SeccompAction.allow())
            .errno(SeccompAction.ENOSYS, "clone3").build().applyToCurrentThread();
        filteredLatch.countDown();
        release.await();
      } catch (Exception e) {
        out("otherFailed", e.toString());
        filteredLatch.countDown();
      }
    }, "own-filter");
    other.start();
    filteredLatch.await();
    try {
      SeccompProfiles.jvmDenyList().applyToCurrentProcess();
      out("tsync", "applied");
    } catch (SeccompUnavailableException e) {
      out("tsync", "unavailable");
    } catch (SeccompException e) {
      out("tsync", "refused");
      out("message", e.getMessage());
    }
    String status = Files.readString(Path.of("/proc/thread-self/status"));
    out("mainSeccomp", status.contains("\nSeccomp:\t0\n") ? "0" : "not 0");
    release.countDown();
    other.join();
  }

  @SuppressWarnings("SystemOut")
  private static void out(String key, String value) {
    System.out.println(key + "=" + value.replace('\n', ' '));
    System.out.flush();
  }
}
