package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.IntegrationFactory;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/** Book-keeping for one registered integration; every change happens under {@link #lock}. */
final class ManagedIntegration {

  /**
   * One instance of the integration with everything that belongs to it: its configuration (an instance of the
   * generation's config class), context, validator, factory and plugin jar. A reload or update creates a new one.
   */
  record Generation(
      Integration<?> instance, Object config, ScopedContext context, ConfigValidation validation,
      IntegrationFactory factory, @Nullable LoadedPlugin plugin, ClassLoader loader) {

    void discard() {
      context.close();
      validation.close();
    }

    @Nullable String jar() {
      return plugin == null ? null : plugin.fileName();
    }
  }

  final String id;
  final boolean builtIn;
  final ReentrantLock lock = new ReentrantLock();
  volatile @Nullable LoadedPlugin plugin;
  volatile @Nullable IntegrationFactory factory;
  volatile @Nullable Generation current;
  volatile IntegrationState state = IntegrationState.INITIALIZED;
  volatile @Nullable String lastError;

  ManagedIntegration(String id, boolean builtIn, @Nullable LoadedPlugin plugin) {
    this.id = id;
    this.builtIn = builtIn;
    this.plugin = plugin;
  }

  /**
   * The current generation of a registered integration (read under its lock: registration sets it before anyone else
   * can take the lock, unregistration clears it).
   *
   * @throws IllegalStateException if the integration was unregistered
   */
  Generation requireCurrent() {
    Generation g = current;
    if (g == null) {
      throw new IllegalStateException("integration '" + id + "' has no current instance (unregistered)");
    }
    return g;
  }

  /**
   * The factory of a registered integration (set with its first generation).
   *
   * @throws IllegalStateException if the integration was never completely registered
   */
  IntegrationFactory requireFactory() {
    IntegrationFactory f = factory;
    if (f == null) {
      throw new IllegalStateException("integration '" + id + "' has no factory (not registered)");
    }
    return f;
  }

  @Nullable String jar() {
    LoadedPlugin p = plugin;
    return p == null ? null : p.fileName();
  }

  IntegrationStatus status() {
    LoadedPlugin p = plugin;
    return new IntegrationStatus(id, builtIn,
        Optional.ofNullable(p).map(x -> x.descriptor().version()),
        Optional.ofNullable(p).map(LoadedPlugin::fileName),
        Optional.ofNullable(p).map(LoadedPlugin::sha256),
        state, Optional.ofNullable(lastError));
  }
}
