package dev.secureyeoman.testkit;

import org.jspecify.annotations.Nullable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * A test-only SLF4J 2 provider that keeps every log line, so a test can assert what an operator would read and what
 * must never be there (a password, a key). A line reads {@code LEVEL logger: message}, followed by {@code " | "} and
 * each throwable of the cause chain ({@code toString()}: type and message). It has a real MDC ({@link
 * BasicMDCAdapter}), unlike slf4j-simple's.
 *
 * <p>A module opts in by naming the provider in its test resources, {@code
 * META-INF/services/org.slf4j.spi.SLF4JServiceProvider}; the testkit jar registers nothing, so it never replaces
 * another binding of a module's tests. It needs {@code org.slf4j:slf4j-api} on the test class path (the testkit
 * depends on it with {@code provided} scope only). The lines are one list per JVM.
 *
 * <p>The public constructor keeps every level; a subclass with a public no-argument constructor that calls {@link
 * #CapturedLogs(Level)} keeps fewer (e.g. INFO and above where DEBUG lines of a client library would flood the list).
 */
public class CapturedLogs implements SLF4JServiceProvider {
  private static final List<String> LINES = new ArrayList<>();

  private final ILoggerFactory loggers;
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new BasicMDCAdapter();

  /** Keeps every level; instantiated by SLF4J's service loader. */
  public CapturedLogs() {
    this(Level.TRACE);
  }

  /**
   * Keeps {@code lowest} and the levels above it.
   *
   * @param lowest the lowest level kept
   */
  protected CapturedLogs(Level lowest) {
    Objects.requireNonNull(lowest, "lowest");
    ConcurrentMap<String, Logger> byName = new ConcurrentHashMap<>();
    this.loggers = name -> byName.computeIfAbsent(name, n -> new Capturing(n, lowest));
  }

  /**
   * Every line logged so far in this JVM.
   *
   * @return a snapshot
   */
  public static List<String> lines() {
    synchronized (LINES) {
      return List.copyOf(LINES);
    }
  }

  /**
   * The lines of one logger (named after {@code logger}) that contain {@code fragment}.
   *
   * @param logger the class the logger is named after
   * @param fragment text the line must contain
   * @return a snapshot
   */
  public static List<String> linesOf(Class<?> logger, String fragment) {
    String name = " " + logger.getName() + ": ";
    return lines().stream().filter(l -> l.contains(name) && l.contains(fragment)).toList();
  }

  /** Forgets the lines logged so far. */
  public static void clear() {
    synchronized (LINES) {
      LINES.clear();
    }
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  private static final class Capturing extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final int lowest;

    Capturing(String name, Level lowest) {
      this.name = name;
      this.lowest = lowest.toInt();
    }

    @Override
    protected @Nullable String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level,
        @Nullable Marker marker,
        String messagePattern,
        Object @Nullable [] arguments,
        @Nullable Throwable throwable) {
      StringBuilder line = new StringBuilder(level + " " + name + ": ");
      line.append(MessageFormatter.basicArrayFormat(messagePattern, arguments));
      int depth = 0;
      for (Throwable t = throwable; t != null && depth++ < 32; t = t.getCause()) {
        line.append(" | ").append(t);
      }
      synchronized (LINES) {
        LINES.add(line.toString());
      }
    }

    private boolean enabled(Level level) {
      return level.toInt() >= lowest;
    }

    @Override
    public boolean isTraceEnabled() {
      return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
      return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
      return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
      return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
      return enabled(Level.ERROR);
    }
  }
}
