package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.integrations.IntegrationFactory;
import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One plugin jar that passed every load-time check, with its own class loader over a private shadow copy. No plugin
 * code has run yet: the factory class was resolved without initialisation.
 *
 * <p>Hand it to {@link IntegrationManager#register(LoadedPlugin)} (which then owns it), or call {@link #newFactory()}
 * yourself. {@link #close()} closes the class loader and deletes the shadow copy; once nothing else references the
 * plugin's classes, the class loader and its classes can be garbage-collected.
 */
public final class LoadedPlugin implements AutoCloseable {

  private final PluginDescriptor descriptor;
  private final String fileName;
  private final String sha256;
  private final ShadowStore store;
  private final ShadowStore.ShadowCopy copy;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final java.util.function.Consumer<LoadedPlugin> onClose;
  private volatile @Nullable PluginClassLoader classLoader; // null once closed
  private volatile @Nullable Constructor<? extends IntegrationFactory> constructor; // null once closed

  LoadedPlugin(
      PluginDescriptor descriptor, String fileName, String sha256, ShadowStore store, ShadowStore.ShadowCopy copy,
      PluginClassLoader classLoader, Constructor<? extends IntegrationFactory> constructor,
      java.util.function.Consumer<LoadedPlugin> onClose) {
    this.onClose = onClose;
    this.descriptor = descriptor;
    this.fileName = fileName;
    this.sha256 = sha256;
    this.store = store;
    this.copy = copy;
    this.classLoader = classLoader;
    this.constructor = constructor;
  }

  /**
   * Returns the parsed descriptor.
   *
   * @return the descriptor
   */
  public PluginDescriptor descriptor() {
    return descriptor;
  }

  /**
   * Returns the plugin id (the descriptor's).
   *
   * @return the id
   */
  public String id() {
    return descriptor.id();
  }

  /**
   * Returns the jar's file name in the plugin directory.
   *
   * @return the file name
   */
  public String fileName() {
    return fileName;
  }

  /**
   * Returns the sha256 (hex) of the bytes that were loaded.
   *
   * @return the hash
   */
  public String sha256() {
    return sha256;
  }

  /**
   * Whether {@link #close()} was called.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Instantiates the plugin's factory on the calling thread, with the plugin's class loader as context class loader.
   * This runs plugin code (static initialisers and the constructor).
   *
   * @return a new factory instance
   * @throws PluginException {@link Reason#FACTORY_FAILED} if the constructor threw, {@link Reason#ILLEGAL_STATE} if
   *     closed
   */
  public IntegrationFactory newFactory() throws PluginException {
    Constructor<? extends IntegrationFactory> ctor = constructor;
    PluginClassLoader cl = classLoader;
    if (ctor == null || cl == null) {
      throw PluginException.forJar(Reason.ILLEGAL_STATE, fileName, "plugin is closed");
    }
    Thread t = Thread.currentThread();
    ClassLoader previous = t.getContextClassLoader();
    t.setContextClassLoader(cl);
    try {
      return ctor.newInstance();
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      PluginFailure copy = PluginFailure.of(cause);
      throw PluginException.forJar(Reason.FACTORY_FAILED, fileName, "factory constructor threw " + copy.getMessage(),
          copy);
    } catch (ExceptionInInitializerError e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      PluginFailure copy = PluginFailure.of(cause);
      throw PluginException.forJar(Reason.FACTORY_FAILED, fileName,
          "factory class initialisation threw " + copy.getMessage(), copy);
    } catch (ReflectiveOperationException | LinkageError e) {
      throw PluginException.forJar(Reason.FACTORY_FAILED, fileName, "cannot instantiate the factory: "
          + Texts.describe(e), e);
    } finally {
      t.setContextClassLoader(previous);
    }
  }

  /** The plugin's class loader (for the manager's context-class-loader switching), or null once closed. */
  @Nullable ClassLoader classLoader() {
    return classLoader;
  }

  /**
   * Closes the class loader and deletes the shadow copy. Idempotent. Stop the plugin's integrations first.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    PluginClassLoader cl = Objects.requireNonNull(classLoader, "only the first close() gets here");
    classLoader = null;
    constructor = null;
    cl.close();
    store.delete(copy);
    onClose.accept(this);
  }

  @Override
  public String toString() {
    return "LoadedPlugin[" + fileName + ", id=" + descriptor.id() + ", version=" + descriptor.version() + ", sha256="
        + sha256 + (isClosed() ? ", closed" : "") + "]";
  }
}
