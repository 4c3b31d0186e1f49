package dev.secureyeoman.integrations.plugin;

/**
 * A host-made copy of something plugin code threw: the class name, the sanitised message and the stack trace, taken on
 * the plugin's worker thread. A plugin's own {@link Throwable} may override {@code getMessage()}, {@code toString()}
 * or {@code getStackTrace()} to hang or throw; the host only ever keeps, logs and prints this copy.
 */
final class PluginFailure extends Exception {
  private static final long serialVersionUID = 1L;

  private PluginFailure(String description) {
    super(description, null, false, true);
  }

  /** Copies {@code t}; runs plugin code (call it on a plugin worker, under the lifecycle timeout). */
  static PluginFailure of(Throwable t) {
    String description;
    try {
      description = Texts.describe(t);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (RuntimeException | Error e) {
      description = t.getClass().getName() + " (its message could not be read)";
    }
    PluginFailure f = new PluginFailure(description);
    try {
      f.setStackTrace(t.getStackTrace().clone());
    } catch (VirtualMachineError e) {
      throw e;
    } catch (RuntimeException | Error e) {
      f.setStackTrace(new StackTraceElement[0]);
    }
    return f;
  }
}
