package dev.secureyeoman.testkit.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines a child process writes to one stream, captured by a daemon thread and kept up to {@link #MAX_CHARS}
 * characters (later lines are counted, not kept). Readers can wait for a line that matches a pattern.
 */
public final class OutputBuffer {
  /** How much output is kept per stream. */
  public static final int MAX_CHARS = 4 << 20;

  private final List<String> lines = new ArrayList<>();
  private long chars;
  private long dropped;
  private boolean ended;

  private OutputBuffer() {}

  /**
   * Starts capturing {@code stream} on a daemon thread.
   *
   * @param stream a process's stdout or stderr
   * @param threadName the capturing thread's name
   * @return the buffer it fills
   */
  public static OutputBuffer capture(InputStream stream, String threadName) {
    OutputBuffer buffer = new OutputBuffer();
    Thread t = new Thread(() -> buffer.pump(stream), threadName);
    t.setDaemon(true);
    t.start();
    return buffer;
  }

  private void pump(InputStream stream) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        add(line);
      }
    } catch (IOException e) {
      // the process closed the stream abruptly (killed): what was read is kept
    } finally {
      synchronized (this) {
        ended = true;
        notifyAll();
      }
    }
  }

  private synchronized void add(String line) {
    if (chars + line.length() + 1 > MAX_CHARS) {
      dropped++;
    } else {
      lines.add(line);
      chars += line.length() + 1;
    }
    notifyAll();
  }

  /**
   * Everything kept so far, one line per line, with a final note if lines were dropped.
   *
   * @return the text
   */
  public synchronized String text() {
    StringBuilder sb = new StringBuilder();
    for (String line : lines) {
      sb.append(line).append('\n');
    }
    if (dropped > 0) {
      sb.append("[secure-testkit: ").append(dropped).append(" more lines not kept]\n");
    }
    return sb.toString();
  }

  /**
   * Waits until a kept line contains a match of {@code pattern}, the stream ends, or {@code timeout} passes.
   *
   * @param pattern what to look for ({@link Matcher#find()} on each line)
   * @param timeout the longest wait
   * @return the first match, or empty if the stream ended or the time ran out first (see {@link #ended()})
   */
  public synchronized Optional<MatchResult> await(Pattern pattern, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int scanned = 0;
    while (true) {
      for (; scanned < lines.size(); scanned++) {
        Matcher m = pattern.matcher(lines.get(scanned));
        if (m.find()) {
          return Optional.of(m.toMatchResult());
        }
      }
      long left = deadline - System.nanoTime();
      if (ended || left <= 0) {
        return Optional.empty();
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
  }

  /**
   * Waits until the stream ends (the process exited and closed it), at most {@code timeout}.
   *
   * @param timeout the longest wait
   * @return true if it ended
   */
  public synchronized boolean awaitEnd(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ended) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ended;
      }
    }
    return true;
  }

  /**
   * Whether the stream has ended.
   *
   * @return true after end of stream
   */
  public synchronized boolean ended() {
    return ended;
  }
}
