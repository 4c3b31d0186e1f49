package dev.secureyeoman.web;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * The test provider's loggers: every line at INFO and above is kept as {@code LEVEL logger: message} (throwables by
 * their type and message), so tests can assert what an operator would read and what must never be there.
 */
final class RecordingLoggers implements ILoggerFactory {
  static final List<String> LINES = new CopyOnWriteArrayList<>();
  private final ConcurrentHashMap<String, Logger> loggers = new ConcurrentHashMap<>();

  @Override
  public Logger getLogger(String name) {
    return loggers.computeIfAbsent(name, Recording::new);
  }

  /** Lines of one logger that contain {@code fragment}. */
  static List<String> linesOf(Class<?> logger, String fragment) {
    return LINES.stream().filter(l -> l.contains(" " + logger.getName() + ": ") && l.contains(fragment)).toList();
  }

  private static final class Recording extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    Recording(String name) {
      this.name = name;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
      String line = level + " " + name + ": " + MessageFormatter.basicArrayFormat(pattern, arguments);
      if (throwable != null) {
        line += " | " + throwable;
      }
      LINES.add(line);
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }
  }
}
