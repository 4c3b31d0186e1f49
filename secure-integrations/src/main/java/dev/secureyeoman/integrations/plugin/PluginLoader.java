package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.integrations.IntegrationFactory;
import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Finds, verifies and loads plugin jars from one directory, each into its own child-first class loader over a private
 * shadow copy.
 *
 * <pre>{@code
 * try (PluginLoader loader = PluginLoader.builder()
 *         .directory(Path.of("plugins"))
 *         .trustFile(TrustFile.read(Path.of("plugins.trust")))   // optional: refuse unknown or changed jars
 *         .build()) {
 *   PluginScan scan = loader.scan();
 *   scan.rejected().forEach(e -> log.warn("{}", e.getMessage()));
 *   ...
 * }
 * }</pre>
 *
 * <h2>Checks, in order (one bad jar never stops the others)</h2>
 *
 * <ol>
 *   <li>Only regular files named {@code *.jar} directly in the directory; symbolic links are refused (checked and
 *       opened with {@code O_NOFOLLOW}); a path given to {@link #load(Path)} must lie in the directory.
 *   <li>Copied to the private shadow directory while hashing, refusing more than {@code maxJarBytes}.
 *   <li>With a trust file: the sha256 must be listed (checked before the jar is opened), for the id the jar declares.
 *   <li>A zip signature ({@link Reason#NOT_A_JAR}), a readable archive ({@link Reason#CORRUPT_JAR}), bounded entries
 *       (count, name length, depth, and the real inflated size of each entry and of all together:
 *       {@link Reason#TOO_LARGE}), no manifest {@code Class-Path} or {@code INDEX.LIST} ({@link Reason#CLASS_PATH}),
 *       no bundled SDK classes, a valid descriptor, an SPI version this host provides, an id that is not reserved for a
 *       built-in integration and not claimed by another jar of the same scan.
 *   <li>The factory (descriptor {@code factory}, else exactly one {@code META-INF/services} provider) is resolved
 *       <em>without initialisation</em>: it must be defined by the plugin, implement {@link IntegrationFactory}, be
 *       public, concrete and have a public no-argument constructor.
 * </ol>
 *
 * <p>No plugin code runs during loading; {@link LoadedPlugin#newFactory()} (or the {@link IntegrationManager}) runs it.
 * The class loader reads only the jars opened and inspected here, for its whole lifetime: the bytes loaded are the bytes
 * verified. A loader built with {@code exclusive(true)} (the default) holds the plugin directory's host lock until
 * closed; a second host is refused with {@link Reason#LOCKED}.
 *
 * <p><b>Non-goals.</b> Class-loader isolation separates dependencies and hides SDK internals; it is not a security
 * boundary. A plugin runs with the host's permissions (same JVM, same uid): the trust file decides what runs.
 *
 * <p>Thread-safe. {@link #close()} closes every plugin it loaded that is still open and deletes the shadow copies.
 */
public final class PluginLoader implements AutoCloseable {

  /** Ids reserved for the SDK's built-in integrations; a plugin cannot take them. */
  public static final Set<String> BUILT_IN_IDS = Set.of("telegram", "discord", "slack");

  /** Default largest plugin jar, in bytes (64 MiB). */
  public static final long DEFAULT_MAX_JAR_BYTES = 64L << 20;

  private final Path directory;
  private final @Nullable TrustFile trustFile; // null: every jar is accepted without a trust list
  private final Set<String> reservedIds;
  private final ClassLoader parent;
  private final Limits limits;
  private final int maxPlugins;
  private final ShadowStore store;
  private final @Nullable AutoCloseable hostLock; // null: not exclusive
  private final Set<LoadedPlugin> open = ConcurrentHashMap.newKeySet();

  /** Longest entry name accepted in a plugin jar (characters). */
  public static final int MAX_ENTRY_NAME_CHARS = 512;

  /** Deepest entry accepted in a plugin jar (directory levels). */
  public static final int MAX_ENTRY_DEPTH = 32;

  /** Default largest inflated size of one entry (class, resource or nested jar), in bytes (64 MiB). */
  public static final long DEFAULT_MAX_ENTRY_BYTES = 64L << 20;

  /** Default most entries per jar (the plugin jar and each nested {@code lib/*.jar}). */
  public static final int DEFAULT_MAX_ENTRIES = 16_384;

  /**
   * Size bounds applied to every jar: its size, entry count, inflated size per entry and in total (plugin jar and
   * nested libraries together, measured by inflating, not from the declared sizes).
   */
  record Limits(long maxJarBytes, int maxEntries, int maxNestedLibs, long maxExtractedBytes, long maxEntryBytes) {}

  private PluginLoader(Builder b, ShadowStore store, @Nullable AutoCloseable hostLock) {
    this.hostLock = hostLock;
    this.directory = Objects.requireNonNull(b.directory, "build() checked directory");
    this.trustFile = b.trustFile;
    this.reservedIds = b.reservedIds == null ? BUILT_IN_IDS : b.reservedIds;
    this.parent = b.parent == null ? PluginLoader.class.getClassLoader() : b.parent;
    long maxJar = b.maxJarBytes == null ? DEFAULT_MAX_JAR_BYTES : b.maxJarBytes;
    long maxEntry = Math.min(DEFAULT_MAX_ENTRY_BYTES, maxJar * 4);
    this.limits = new Limits(maxJar, DEFAULT_MAX_ENTRIES, 256, maxJar * 4, maxEntry);
    this.maxPlugins = b.maxPlugins == null ? 256 : b.maxPlugins;
    this.store = store;
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
   * Returns the plugin directory.
   *
   * @return the directory as configured
   */
  public Path directory() {
    return directory;
  }

  /**
   * Loads every {@code *.jar} in the directory. Duplicate ids: the first jar in file-name order wins, later ones are
   * rejected with {@link Reason#DUPLICATE_ID}.
   *
   * @return one entry per jar, sorted by file name
   * @throws PluginException ({@link Reason#IO_ERROR}) only if the directory itself cannot be listed
   */
  public PluginScan scan() throws PluginException {
    Set<String> names = new TreeSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, "*.jar")) {
      for (Path p : ds) {
        names.add(p.getFileName().toString());
      }
    } catch (NoSuchFileException e) {
      throw PluginException.forJar(Reason.IO_ERROR, String.valueOf(directory), "no such directory");
    } catch (IOException e) {
      throw PluginException.forJar(Reason.IO_ERROR, String.valueOf(directory),
          "cannot list (" + e.getClass().getSimpleName() + ")", e);
    }
    List<PluginScanEntry> entries = new ArrayList<>();
    Map<String, String> claimed = new HashMap<>();
    int n = 0;
    for (String name : names) {
      if (++n > maxPlugins) {
        entries.add(rejected(name, null, null,
            PluginException.forJar(Reason.TOO_LARGE, name, "more than " + maxPlugins + " plugin jars")));
        continue;
      }
      PluginScanEntry e = tryLoad(directory.resolve(name));
      if (e.loaded()) {
        LoadedPlugin p = e.plugin().orElseThrow();
        String first = claimed.putIfAbsent(p.id(), name);
        if (first != null) {
          p.close();
          e = rejected(name, p.sha256(), p.descriptor(), PluginException.forJar(Reason.DUPLICATE_ID, name,
              "id '" + p.id() + "' is already provided by " + first));
        }
      }
      entries.add(e);
    }
    return new PluginScan(entries);
  }

  /**
   * Loads one jar of the directory.
   *
   * @param jar the jar (must be directly in the plugin directory)
   * @return the loaded plugin
   * @throws PluginException naming the jar and the reason
   */
  public LoadedPlugin load(Path jar) throws PluginException {
    PluginScanEntry e = tryLoad(jar);
    if (e.error().isPresent()) {
      throw e.error().get();
    }
    return e.plugin().orElseThrow();
  }

  /**
   * Loads one jar of the directory and reports the outcome instead of throwing.
   *
   * @param jar the jar (must be directly in the plugin directory)
   * @return the entry: loaded, or rejected with whatever was learnt before the rejection
   */
  public PluginScanEntry tryLoad(Path jar) {
    Objects.requireNonNull(jar, "jar");
    String name = jar.getFileName() == null ? String.valueOf(jar) : jar.getFileName().toString();
    Path abs = jar.toAbsolutePath().normalize();
    if (abs.getParent() == null || !abs.getParent().equals(directory.toAbsolutePath().normalize())) {
      return rejected(name, null, null,
          PluginException.forJar(Reason.NOT_A_FILE, name, "is not directly in the plugin directory " + directory));
    }
    ShadowStore.ShadowCopy copy;
    try {
      copy = store.copy(abs, name, limits.maxJarBytes());
    } catch (PluginException e) {
      return rejected(name, null, null, e);
    }
    PluginDescriptor descriptor = null;
    PluginClassLoader cl = null;
    JarInspector.Inspection insp = null;
    try {
      Optional<String> trustedAs = Optional.empty();
      if (trustFile != null) {
        trustedAs = trustFile.idFor(copy.sha256());
        if (trustedAs.isEmpty()) {
          throw PluginException.forJar(Reason.UNTRUSTED, name, "sha256 is not listed in the trust file");
        }
      }
      insp = JarInspector.inspect(copy, name, limits);
      descriptor = insp.descriptor();
      if (trustedAs.isPresent() && !trustedAs.get().equals(descriptor.id())) {
        throw PluginException.forJar(Reason.UNTRUSTED, name, "sha256 is trusted for plugin '" + trustedAs.get()
            + "', but the jar declares id '" + descriptor.id() + "'");
      }
      if (!descriptor.isCompatibleWith(IntegrationFactory.SPI_VERSION)) {
        throw PluginException.forJar(Reason.SPI_INCOMPATIBLE, name, "requires SPI " + descriptor.spiVersion()
            + ", this host provides " + IntegrationFactory.SPI_VERSION);
      }
      if (reservedIds.contains(descriptor.id())) {
        throw PluginException.forJar(Reason.BUILTIN_ID, name,
            "id '" + descriptor.id() + "' is reserved for a built-in integration");
      }
      try {
        cl = PluginClassLoader.over("plugin:" + descriptor.id() + "@" + descriptor.version(), insp.jars(),
            insp.paths(), parent, limits.maxEntryBytes());
      } catch (IOException e) {
        throw PluginException.forJar(Reason.IO_ERROR, name, "cannot open the class loader", e);
      }
      insp = null; // owned by the class loader from now on
      Constructor<? extends IntegrationFactory> ctor = factoryConstructor(cl, descriptor, name);
      LoadedPlugin plugin = new LoadedPlugin(descriptor, name, copy.sha256(), store, copy, cl, ctor, open::remove);
      open.add(plugin);
      return new PluginScanEntry(name, Optional.of(copy.sha256()), Optional.of(descriptor), Optional.of(plugin),
          Optional.empty());
    } catch (PluginException e) {
      if (insp != null) {
        PluginClassLoader.closeAll(insp.jars());
      }
      closeQuietly(cl);
      store.delete(copy);
      return rejected(name, copy.sha256(), descriptor, e);
    }
  }

  /** Closes every plugin loaded by this loader that is still open and deletes this process's shadow directory. */
  @Override
  public void close() {
    for (LoadedPlugin p : List.copyOf(open)) {
      p.close();
    }
    store.close();
    if (hostLock != null) {
      try {
        hostLock.close();
      } catch (Exception e) {
        // released by the kernel at exit at the latest
      }
    }
  }

  @Override
  public String toString() {
    return "PluginLoader[" + directory + (trustFile == null ? "" : ", " + trustFile) + "]";
  }

  private static Constructor<? extends IntegrationFactory> factoryConstructor(
      PluginClassLoader cl, PluginDescriptor descriptor, String jar) throws PluginException {
    Class<?> type;
    if (descriptor.factory().isPresent()) {
      String name = descriptor.factory().get();
      try {
        type = Class.forName(name, false, cl);
      } catch (ClassNotFoundException e) {
        throw PluginException.forJar(Reason.FACTORY_NOT_FOUND, jar, "factory class " + name + " is not in the jar");
      } catch (LinkageError e) {
        throw PluginException.forJar(Reason.FACTORY_INVALID, jar,
            "factory class " + name + " cannot be linked: " + Texts.describe(e));
      }
    } else {
      type = serviceProvider(cl, jar);
    }
    if (type.getClassLoader() != cl) {
      throw PluginException.forJar(Reason.FACTORY_INVALID, jar,
          "factory class " + type.getName() + " is not defined by the plugin jar");
    }
    if (!IntegrationFactory.class.isAssignableFrom(type)) {
      throw PluginException.forJar(Reason.FACTORY_INVALID, jar,
          "factory class " + type.getName() + " does not implement " + IntegrationFactory.class.getName());
    }
    int mods = type.getModifiers();
    if (!Modifier.isPublic(mods) || Modifier.isAbstract(mods) || type.isInterface()
        || (type.getEnclosingClass() != null && !Modifier.isStatic(mods))) {
      throw PluginException.forJar(Reason.FACTORY_INVALID, jar,
          "factory class " + type.getName() + " must be a public, concrete, top-level or static class");
    }
    try {
      return type.asSubclass(IntegrationFactory.class).getConstructor();
    } catch (NoSuchMethodException e) {
      throw PluginException.forJar(Reason.FACTORY_INVALID, jar,
          "factory class " + type.getName() + " has no public no-argument constructor");
    } catch (LinkageError e) {
      throw PluginException.forJar(Reason.FACTORY_INVALID, jar,
          "factory class " + type.getName() + " cannot be linked: " + Texts.describe(e));
    }
  }

  /** Exactly one provider of the SPI defined by the plugin itself, found with {@link ServiceLoader} (not instantiated). */
  private static Class<?> serviceProvider(PluginClassLoader cl, String jar) throws PluginException {
    List<Class<?>> own = new ArrayList<>();
    try {
      ServiceLoader.load(IntegrationFactory.class, cl).stream()
          .map(ServiceLoader.Provider::type)
          .filter(t -> t.getClassLoader() == cl)
          .forEach(own::add);
    } catch (ServiceConfigurationError e) {
      throw PluginException.forJar(Reason.FACTORY_INVALID, jar,
          "META-INF/services/" + IntegrationFactory.class.getName() + " is invalid: " + Texts.oneLine(e.getMessage(), 200));
    } catch (LinkageError e) {
      throw PluginException.forJar(Reason.FACTORY_INVALID, jar, "service provider cannot be linked: " + Texts.describe(e));
    }
    if (own.isEmpty()) {
      throw PluginException.forJar(Reason.FACTORY_NOT_FOUND, jar, "no 'factory' in the descriptor and no "
          + "META-INF/services/" + IntegrationFactory.class.getName() + " provider in the jar");
    }
    if (own.size() > 1) {
      throw PluginException.forJar(Reason.FACTORY_INVALID, jar, own.size()
          + " service providers of " + IntegrationFactory.class.getName() + "; name one with 'factory'");
    }
    return own.get(0);
  }

  private static PluginScanEntry rejected(
      String name, @Nullable String sha, @Nullable PluginDescriptor d, PluginException e) {
    return new PluginScanEntry(name, Optional.ofNullable(sha), Optional.ofNullable(d), Optional.empty(), Optional.of(e));
  }

  private static void closeQuietly(@Nullable PluginClassLoader cl) {
    if (cl != null) {
      cl.close();
    }
  }

  /** Builder; each option may be set once. */
  public static final class Builder {
    private @Nullable Path directory;
    private @Nullable TrustFile trustFile;
    private @Nullable Path shadowDirectory;
    private @Nullable Long maxJarBytes;
    private @Nullable Integer maxPlugins;
    private @Nullable Set<String> reservedIds;
    private @Nullable ClassLoader parent;
    private @Nullable Boolean exclusive;

    private Builder() {}

    /**
     * Whether this loader is the plugin directory's host (default true): it then holds an exclusive lock for its
     * lifetime (in the shadow root, per plugin directory), and a second host — in this JVM or another process of the
     * same user — is refused with {@link Reason#LOCKED}. Pass false for read-only checks such as
     * {@code secureyeoman plugins check}, which never run plugin code.
     *
     * @param exclusive false to skip the host lock
     * @return this builder
     */
    public Builder exclusive(boolean exclusive) {
      this.exclusive = Once.set("exclusive", this.exclusive, exclusive);
      return this;
    }

    /**
     * Sets the plugin directory (required).
     *
     * @param dir the directory
     * @return this builder
     */
    public Builder directory(Path dir) {
      this.directory = Once.set("directory", this.directory, dir);
      return this;
    }

    /**
     * Requires every jar's sha256 to be listed in this trust file.
     *
     * @param trust the trust file
     * @return this builder
     */
    public Builder trustFile(TrustFile trust) {
      this.trustFile = Once.set("trustFile", this.trustFile, trust);
      return this;
    }

    /**
     * Sets the root of the private shadow copies (default {@code <java.io.tmpdir>/secureyeoman-plugins-<user>}); it is
     * created 0700 and must not be writable by others.
     *
     * @param dir the root
     * @return this builder
     */
    public Builder shadowDirectory(Path dir) {
      this.shadowDirectory = Once.set("shadowDirectory", this.shadowDirectory, dir);
      return this;
    }

    /**
     * Sets the largest jar accepted (default 64 MiB); nested {@code lib/*.jar} may expand to four times this.
     *
     * @param bytes the bound, 1 KiB to 2 GiB
     * @return this builder
     */
    public Builder maxJarBytes(long bytes) {
      if (bytes < 1024 || bytes > (2L << 30)) {
        throw new IllegalArgumentException("maxJarBytes must be in [1024, 2147483648], got " + bytes);
      }
      this.maxJarBytes = Once.set("maxJarBytes", this.maxJarBytes, bytes);
      return this;
    }

    /**
     * Sets the most jars one scan loads (default 256); further jars are rejected.
     *
     * @param count the bound, 1 to 10000
     * @return this builder
     */
    public Builder maxPlugins(int count) {
      if (count < 1 || count > 10_000) {
        throw new IllegalArgumentException("maxPlugins must be in [1, 10000], got " + count);
      }
      this.maxPlugins = Once.set("maxPlugins", this.maxPlugins, count);
      return this;
    }

    /**
     * Replaces the reserved ids (default {@link #BUILT_IN_IDS}); add the host's own built-in integration ids.
     *
     * @param ids the ids plugins may not use
     * @return this builder
     */
    public Builder reservedIds(Set<String> ids) {
      this.reservedIds = Once.set("reservedIds", this.reservedIds, Set.copyOf(ids));
      return this;
    }

    /**
     * Sets the parent class loader, which must see the SDK API, SLF4J and Jakarta Validation (default: the loader of
     * this SDK).
     *
     * @param loader the parent
     * @return this builder
     */
    public Builder parent(ClassLoader loader) {
      this.parent = Once.set("parent", this.parent, loader);
      return this;
    }

    /**
     * Builds the loader: prepares the shadow directory and removes copies left by processes that exited.
     *
     * @return the loader
     * @throws PluginException ({@link Reason#IO_ERROR}) if the shadow directory cannot be prepared, ({@link
     *     Reason#LOCKED}) if another host holds the plugin directory
     */
    public PluginLoader build() throws PluginException {
      if (directory == null) {
        throw new IllegalStateException("directory is required");
      }
      ShadowStore store = ShadowStore.open(shadowDirectory == null ? ShadowStore.defaultRoot() : shadowDirectory);
      AutoCloseable hostLock = null;
      if (exclusive == null || exclusive) {
        try {
          hostLock = store.lockHost(directory);
        } catch (PluginException e) {
          store.close();
          throw e;
        }
      }
      return new PluginLoader(this, store, hostLock);
    }
  }
}
