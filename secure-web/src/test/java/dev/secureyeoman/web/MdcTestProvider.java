package dev.secureyeoman.web;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * A test-only SLF4J provider with a real MDC (slf4j-simple's MDC is a no-op), so {@link RequestIdsTest} can check what
 * {@link RequestIds#open} puts there; its loggers record lines ({@link RecordingLoggers}) for tests of what is logged.
 * Registered in {@code META-INF/services} of the test resources.
 */
public final class MdcTestProvider implements SLF4JServiceProvider {
  private final MDCAdapter mdc = new BasicMDCAdapter();
  private final ILoggerFactory loggers = new RecordingLoggers();
  private final IMarkerFactory markers = new BasicMarkerFactory();

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
}
