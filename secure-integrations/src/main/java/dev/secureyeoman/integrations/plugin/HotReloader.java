package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * <b>Development only</b> (off unless the host creates one): watches the plugin directory and keeps the
 * {@link IntegrationManager} in step with it.
 *
 * <ul>
 *   <li>new jar → load, register, start ({@link ReloadEvent.Kind#LOADED});
 *   <li>changed jar → load the new copy, then {@link IntegrationManager#reload}: the old version is stopped and its class
 *       loader closed only once the new one is initialised; a broken new version is refused and the old one keeps
 *       running ({@link ReloadEvent.Kind#REJECTED}, with the reason); an integration the operator stopped is reloaded
 *       but stays stopped (a file change never undoes a stop);
 *   <li>deleted jar → stop and unregister ({@link ReloadEvent.Kind#UNLOADED}).
 * </ul>
 *
 * <p>The reloader owns the directory: it registers the jars itself (do not also register them with the manager).
 * Changes are debounced: a rescan runs once no event arrived for the debounce interval (so a jar being written is
 * not loaded half-way; if it is, it is refused as corrupt and retried on the next change). Write new versions to a
 * temporary name and rename them over the old jar.
 *
 * <p>Reload caveats: static state, threads the plugin started itself, {@code ThreadLocal}s it left on host threads and
 * objects of its classes held by the host keep the old class loader alive (a leak, not a malfunction). Configuration is
 * re-read and re-validated for the new version.
 */
public final class HotReloader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HotReloader.class);

  private final PluginLoader loader;
  private final IntegrationManager manager;
  private final Duration debounce;
  private final Consumer<ReloadEvent> listener;
  private final Map<String, Tracked> tracked = new HashMap<>();
  private final Map<String, Object> refused = new HashMap<>();
  private @Nullable WatchService watch;
  private @Nullable Thread thread;
  private volatile boolean closed;

  /** A jar that is registered: its id, hash and the file identity it was loaded from. */
  private record Tracked(String id, String sha256, @Nullable Object fileKey) {}

  private HotReloader(Builder b) {
    this.loader = Objects.requireNonNull(b.loader, "build() checked loader");
    this.manager = Objects.requireNonNull(b.manager, "build() checked manager");
    this.debounce = b.debounce == null ? Duration.ofMillis(300) : b.debounce;
    this.listener = b.listener == null ? e -> { } : b.listener;
  }

  /**
   * Starts a builder.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Loads, registers and starts every jar in the directory, then starts watching it on a daemon thread.
   *
   * @return the events of the initial scan
   * @throws PluginException ({@link Reason#IO_ERROR}) if the directory cannot be watched
   */
  public synchronized List<ReloadEvent> start() throws PluginException {
    if (thread != null || closed) {
      throw new IllegalStateException("already started or closed");
    }
    LOG.warn("plugin hot reload is enabled for {} (development only)", loader.directory());
    WatchService ws;
    try {
      ws = loader.directory().getFileSystem().newWatchService();
      watch = ws;
      loader.directory().register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
          StandardWatchEventKinds.ENTRY_MODIFY);
    } catch (IOException e) {
      throw PluginException.forJar(Reason.IO_ERROR, String.valueOf(loader.directory()),
          "cannot watch (" + e.getClass().getSimpleName() + ")", e);
    }
    List<ReloadEvent> initial = rescan();
    thread = new Thread(() -> watchLoop(ws), "plugin-hot-reload");
    thread.setDaemon(true);
    thread.setContextClassLoader(HotReloader.class.getClassLoader());
    thread.start();
    return initial;
  }

  /**
   * Brings the manager in step with the directory now (what the watcher does after each debounced change).
   *
   * @return what changed
   */
  public synchronized List<ReloadEvent> rescan() {
    List<ReloadEvent> events = new ArrayList<>();
    TreeSet<String> present = new TreeSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(loader.directory(), "*.jar")) {
      for (Path p : ds) {
        present.add(p.getFileName().toString());
      }
    } catch (IOException e) {
      LOG.error("cannot list plugin directory {}: {}", loader.directory(), e.getClass().getSimpleName());
      return events;
    }
    for (String name : List.copyOf(tracked.keySet())) {
      if (!present.contains(name)) {
        Tracked t = Objects.requireNonNull(tracked.remove(name), "name is one of tracked's keys");
        unregister(t.id());
        refused.clear(); // a jar refused as a duplicate may load now
        events.add(new ReloadEvent(ReloadEvent.Kind.UNLOADED, name, Optional.of(t.id()), Optional.empty(),
            Optional.empty()));
      }
    }
    refused.keySet().retainAll(present);
    for (String name : present) {
      Path path = loader.directory().resolve(name);
      Object key = fileKey(path);
      Tracked t = tracked.get(name);
      if ((t != null && Objects.equals(t.fileKey(), key)) || (key != null && key.equals(refused.get(name)))) {
        continue;
      }
      ReloadEvent e = apply(name, path, key, t);
      if (e != null) {
        events.add(e);
      }
    }
    for (ReloadEvent e : events) {
      notifyListener(e);
    }
    return events;
  }

  private @Nullable ReloadEvent apply(String name, Path path, @Nullable Object key, @Nullable Tracked t) {
    PluginScanEntry entry = loader.tryLoad(path);
    if (!entry.loaded()) {
      manager.recordRejection(entry);
      refused.put(name, key);
      return rejected(name, entry.descriptor().map(PluginDescriptor::id), entry.descriptor().map(
          PluginDescriptor::version), entry.error().orElseThrow());
    }
    LoadedPlugin p = entry.plugin().orElseThrow();
    String version = p.descriptor().version();
    if (t != null && t.id().equals(p.id()) && t.sha256().equals(p.sha256())) {
      p.close(); // touched, not changed
      tracked.put(name, new Tracked(t.id(), t.sha256(), key));
      return null;
    }
    try {
      if (t != null && t.id().equals(p.id())) {
        boolean operatorStopped = manager.status(p.id())
            .map(s -> s.state() == IntegrationState.STOPPED).orElse(false);
        manager.reload(p);
        tracked.put(name, new Tracked(p.id(), p.sha256(), key));
        if (!operatorStopped) {
          manager.start(p.id()); // no-op if running; starts a version that fixes a failed one
        }
        return new ReloadEvent(ReloadEvent.Kind.RELOADED, name, Optional.of(p.id()), Optional.of(version),
            Optional.empty());
      }
      if (t != null) {
        tracked.remove(name);
        unregister(t.id());
      }
      String id = p.id();
      manager.register(p);
      tracked.put(name, new Tracked(id, p.sha256(), key));
      manager.start(id);
      return new ReloadEvent(ReloadEvent.Kind.LOADED, name, Optional.of(id), Optional.of(version), Optional.empty());
    } catch (PluginException e) {
      refused.put(name, key);
      return rejected(name, Optional.of(p.id()), Optional.of(version), e);
    }
  }

  private void unregister(String id) {
    try {
      manager.unregister(id);
    } catch (PluginException e) {
      LOG.debug("{}", e.getMessage());
    }
  }

  private static ReloadEvent rejected(String name, Optional<String> id, Optional<String> version, PluginException e) {
    LOG.warn("plugin {} refused: {}", name, e.getMessage());
    return new ReloadEvent(ReloadEvent.Kind.REJECTED, name, id, version, Optional.of(e));
  }

  private void notifyListener(ReloadEvent e) {
    try {
      listener.accept(e);
    } catch (RuntimeException ex) {
      LOG.warn("reload listener failed: {}", ex.toString());
    }
  }

  /** Identity of the file's current content as far as cheap metadata tells: inode, size and modification time. */
  private static @Nullable Object fileKey(Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return List.of(String.valueOf(a.fileKey()), a.size(), a.lastModifiedTime().toMillis(), a.isSymbolicLink());
    } catch (IOException e) {
      return null;
    }
  }

  private void watchLoop(WatchService watch) {
    long maxQuietWaits = 20;
    while (!closed) {
      try {
        WatchKey key = watch.take();
        boolean relevant = drain(key);
        long waits = 0;
        WatchKey more;
        while (waits++ < maxQuietWaits
            && (more = watch.poll(debounce.toMillis(), TimeUnit.MILLISECONDS)) != null) {
          relevant |= drain(more);
        }
        if (relevant && !closed) {
          rescan();
        }
      } catch (ClosedWatchServiceException | InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.error("plugin hot reload failed: {}", e.toString());
      }
    }
  }

  private boolean drain(WatchKey key) {
    boolean relevant = false;
    for (WatchEvent<?> ev : key.pollEvents()) {
      if (ev.kind() == StandardWatchEventKinds.OVERFLOW
          || (ev.context() instanceof Path p && p.getFileName().toString().endsWith(".jar"))) {
        relevant = true;
      }
    }
    if (!key.reset()) {
      LOG.error("plugin directory {} is no longer watchable", loader.directory());
    }
    return relevant;
  }

  /** Stops watching (registered integrations stay as they are; close the manager to stop them). */
  @Override
  public void close() {
    closed = true;
    try {
      if (watch != null) {
        watch.close();
      }
    } catch (IOException e) {
      LOG.debug("closing the watch service failed", e);
    }
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }

  /** Builder; each option may be set once. */
  public static final class Builder {
    private @Nullable PluginLoader loader;
    private @Nullable IntegrationManager manager;
    private @Nullable Duration debounce;
    private @Nullable Consumer<ReloadEvent> listener;

    private Builder() {}

    /**
     * Sets the loader whose directory is watched (required).
     *
     * @param loader the loader
     * @return this builder
     */
    public Builder loader(PluginLoader loader) {
      this.loader = Once.set("loader", this.loader, loader);
      return this;
    }

    /**
     * Sets the manager that runs the plugins (required).
     *
     * @param manager the manager
     * @return this builder
     */
    public Builder manager(IntegrationManager manager) {
      this.manager = Once.set("manager", this.manager, manager);
      return this;
    }

    /**
     * Sets the quiet time before a rescan (default 300 ms).
     *
     * @param debounce 1 ms to 1 minute
     * @return this builder
     */
    public Builder debounce(Duration debounce) {
      if (debounce == null || debounce.toMillis() < 1 || debounce.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("debounce must be in [PT0.001S, PT1M], got " + debounce);
      }
      this.debounce = Once.set("debounce", this.debounce, debounce);
      return this;
    }

    /**
     * Receives every event (on the watcher thread).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(Consumer<ReloadEvent> listener) {
      this.listener = Once.set("listener", this.listener, listener);
      return this;
    }

    /**
     * Builds the reloader (call {@link HotReloader#start()} to begin).
     *
     * @return the reloader
     */
    public HotReloader build() {
      if (loader == null || manager == null) {
        throw new IllegalStateException("loader and manager are required");
      }
      return new HotReloader(this);
    }
  }
}
