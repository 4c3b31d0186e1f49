package dev.secureyeoman.web;

import dev.secureyeoman.testkit.CapturedLogs;
import org.slf4j.event.Level;

/**
 * The test SLF4J provider of secure-web: the testkit's {@link CapturedLogs} (a real MDC, so {@link RequestIdsTest} can
 * check what {@link RequestIds#open} puts there, and the lines for tests of what is logged), keeping INFO and above:
 * Lettuce and Netty would fill the list with DEBUG lines. Registered in {@code META-INF/services} of the test
 * resources.
 */
public final class MdcTestProvider extends CapturedLogs {
  /** Instantiated by SLF4J's service loader. */
  public MdcTestProvider() {
    super(Level.INFO);
  }
}
