package dev.secureyeoman.integrations.plugin;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.CodeSource;
import java.security.SecureClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipFile;
import org.jspecify.annotations.Nullable;

/**
 * Child-first class loader of one plugin generation, reading only from jar files it holds open.
 *
 * <p>The jars are opened once, right after they were copied, hashed and inspected, and the same open files serve every
 * class and resource for the loader's lifetime: the bytes loaded are the bytes verified, never a path read again later.
 * Unlike {@link java.net.URLClassLoader}, it never follows a manifest {@code Class-Path} or a
 * {@code META-INF/INDEX.LIST} to other jars, and every entry read is bounded ({@code maxEntryBytes}).
 *
 * <p>Parent-first (the host's classes, so both sides agree on the types they exchange): JDK packages, SLF4J
 * ({@code org.slf4j}), Jakarta Validation ({@code jakarta.validation}) and the SDK API packages a plugin may use
 * ({@value #SDK_PREFIX}{@code integrations}, {@code core}, {@code audit}). Every other SDK class is invisible to plugins
 * ({@link ClassNotFoundException}). Anything else is looked up in the plugin jar and its {@code lib/*.jar} first and
 * only then in the host, so a plugin's bundled libraries win over the host's versions and two plugins can bundle
 * different versions of one library.
 */
final class PluginClassLoader extends SecureClassLoader implements AutoCloseable {
  static final String SDK_PREFIX = "dev.secureyeoman.";

  /** SDK packages a plugin may see: the SPI and the API types it refers to (exceptions, audit events). */
  static final Set<String> SDK_API_PACKAGES =
      Set.of("dev.secureyeoman.integrations", "dev.secureyeoman.core", "dev.secureyeoman.audit");

  private static final List<String> PARENT_FIRST_PREFIXES = List.of("java.", "org.slf4j.", "jakarta.validation.");
  private static final Set<String> JDK_PACKAGES = jdkPackages();

  static {
    registerAsParallelCapable();
  }

  /** How a class name is resolved. */
  enum Delegation {
    /** From the host (parent) only. */
    PARENT,
    /** From the plugin first, then the host. */
    CHILD,
    /** Invisible to plugins. */
    HIDDEN
  }

  private final List<OpenJar> jars;
  private final long maxEntryBytes;
  private volatile boolean closed;

  /** One open jar with the handler that serves its resource URLs from the open file. */
  private final class OpenJar extends URLStreamHandler {
    final JarFile file;
    final URL location;
    final CodeSource codeSource;

    OpenJar(JarFile file, Path path) throws MalformedURLException {
      this.file = file;
      this.location = path.toUri().toURL();
      this.codeSource = new CodeSource(location, (CodeSigner[]) null);
    }

    URL urlOf(String entry) {
      try {
        return new URL("jar", "", -1, location + "!/" + entry, this);
      } catch (MalformedURLException e) {
        throw new IllegalStateException("a jar entry always forms a URL", e);
      }
    }

    @Override
    protected URLConnection openConnection(URL u) throws IOException {
      String spec = u.getFile();
      int sep = spec.indexOf("!/");
      String entryName = sep < 0 ? "" : spec.substring(sep + 2);
      return new URLConnection(u) {
        @Override
        public void connect() {
          connected = true;
        }

        @Override
        public InputStream getInputStream() throws IOException {
          JarEntry e = closed ? null : file.getJarEntry(entryName);
          if (e == null) {
            throw new IOException("no such plugin resource (or the plugin was unloaded): " + entryName);
          }
          return bounded(file.getInputStream(e), entryName);
        }
      };
    }
  }

  private PluginClassLoader(String name, ClassLoader parent, long maxEntryBytes) {
    super(name, parent);
    this.jars = new ArrayList<>();
    this.maxEntryBytes = maxEntryBytes;
  }

  /**
   * Opens the jars (the plugin jar first, then its nested libraries) and creates the loader over them; on failure
   * everything opened is closed again.
   */
  static PluginClassLoader open(String name, List<Path> paths, ClassLoader parent, long maxEntryBytes)
      throws IOException {
    List<JarFile> files = new ArrayList<>();
    try {
      for (Path p : paths) {
        files.add(openJar(p));
      }
    } catch (IOException | RuntimeException e) {
      closeAll(files);
      throw e;
    }
    return over(name, files, paths, parent, maxEntryBytes);
  }

  /**
   * Creates the loader over jars already open (the plugin jar first, then its nested libraries); it owns them from now
   * on. {@code paths} are only used as code source locations.
   */
  static PluginClassLoader over(String name, List<JarFile> files, List<Path> paths, ClassLoader parent,
      long maxEntryBytes) throws IOException {
    PluginClassLoader cl = new PluginClassLoader(name, parent, maxEntryBytes);
    for (int i = 0; i < files.size(); i++) {
      try {
        cl.jars.add(cl.new OpenJar(files.get(i), paths.get(i)));
      } catch (MalformedURLException e) {
        closeAll(files);
        throw e;
      }
    }
    return cl;
  }

  static void closeAll(List<JarFile> files) {
    for (JarFile f : files) {
      try {
        f.close();
      } catch (IOException e) {
        // read-only: nothing to lose
      }
    }
  }

  /** Opens a jar the way this loader reads it: no signature verification, multi-release aware. */
  static JarFile openJar(Path p) throws IOException {
    return new JarFile(p.toFile(), false, ZipFile.OPEN_READ, Runtime.version());
  }


  static Delegation delegation(String className) {
    int dot = className.lastIndexOf('.');
    String pkg = dot < 0 ? "" : className.substring(0, dot);
    if (className.startsWith(SDK_PREFIX)) {
      return SDK_API_PACKAGES.contains(pkg) ? Delegation.PARENT : Delegation.HIDDEN;
    }
    for (String prefix : PARENT_FIRST_PREFIXES) {
      if (className.startsWith(prefix)) {
        return Delegation.PARENT;
      }
    }
    return JDK_PACKAGES.contains(pkg) ? Delegation.PARENT : Delegation.CHILD;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        switch (delegation(name)) {
          case PARENT -> c = getParent().loadClass(name);
          case HIDDEN -> throw new ClassNotFoundException(name + " is an SDK implementation class, not visible to plugins");
          default -> {
            try {
              c = findClass(name);
            } catch (ClassNotFoundException notInPlugin) {
              c = getParent().loadClass(name);
            }
          }
        }
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }

  @Override
  public @Nullable URL getResource(String name) {
    Delegation d = resourceDelegation(name);
    if (d == Delegation.HIDDEN) {
      return null;
    }
    if (d == Delegation.CHILD) {
      URL url = findResource(name);
      if (url != null) {
        return url;
      }
    }
    return getParent().getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    if (name == null) {
      return Collections.emptyEnumeration();
    }
    Delegation d = resourceDelegation(name);
    List<URL> urls = new ArrayList<>();
    if (d == Delegation.HIDDEN) {
      return Collections.emptyEnumeration();
    }
    if (d == Delegation.CHILD) {
      urls.addAll(Collections.list(findResources(name)));
    }
    urls.addAll(Collections.list(getParent().getResources(name)));
    return Collections.enumeration(urls);
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    String entryName = name.replace('.', '/') + ".class";
    for (OpenJar j : jars) {
      if (closed) {
        break;
      }
      JarEntry e = j.file.getJarEntry(entryName);
      if (e == null || e.isDirectory()) {
        continue;
      }
      byte[] bytes;
      try (InputStream in = bounded(j.file.getInputStream(e), entryName)) {
        bytes = in.readAllBytes();
      } catch (IOException ex) {
        throw new ClassNotFoundException(name + " cannot be read from the plugin jar", ex);
      }
      int dot = name.lastIndexOf('.');
      if (dot > 0) {
        String pkg = name.substring(0, dot);
        if (getDefinedPackage(pkg) == null) {
          try {
            definePackage(pkg, null, null, null, null, null, null, null);
          } catch (IllegalArgumentException raced) {
            // defined concurrently by another thread
          }
        }
      }
      return defineClass(name, bytes, 0, bytes.length, j.codeSource);
    }
    throw new ClassNotFoundException(name);
  }

  @Override
  protected @Nullable URL findResource(String name) {
    for (OpenJar j : jars) {
      if (closed) {
        return null;
      }
      if (j.file.getJarEntry(name) != null) {
        return j.urlOf(name);
      }
    }
    return null;
  }

  @Override
  protected Enumeration<URL> findResources(String name) {
    List<URL> out = new ArrayList<>();
    for (OpenJar j : jars) {
      if (!closed && j.file.getJarEntry(name) != null) {
        out.add(j.urlOf(name));
      }
    }
    return Collections.enumeration(out);
  }

  /** Closes the jar files; classes not yet loaded can no longer be loaded, resource URLs stop working. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (OpenJar j : jars) {
      try {
        j.file.close();
      } catch (IOException e) {
        // read-only files: nothing to lose
      }
    }
  }

  /** Reads at most {@code maxEntryBytes} of one entry; more is an error (a bomb disguised as a class or resource). */
  private InputStream bounded(InputStream in, String entryName) {
    long max = maxEntryBytes;
    return new FilterInputStream(in) {
      private long count;

      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          check(1);
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          check(n);
        }
        return n;
      }

      private void check(int n) throws IOException {
        count += n;
        if (count > max) {
          throw new IOException("plugin entry " + entryName + " expands to more than " + max + " bytes");
        }
      }
    };
  }

  private static Delegation resourceDelegation(String name) {
    if (name.endsWith(".class")) {
      return delegation(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
    }
    return Delegation.CHILD;
  }

  /** Packages of the JDK modules in the boot layer (java.*, javax.*, jdk.*, sun.*, ...). */
  private static Set<String> jdkPackages() {
    Set<String> pkgs = new HashSet<>();
    ClassLoader platform = ClassLoader.getPlatformClassLoader();
    for (Module m : ModuleLayer.boot().modules()) {
      ClassLoader l = m.getClassLoader();
      if (l == null || l == platform) {
        pkgs.addAll(m.getPackages());
      }
    }
    return Set.copyOf(pkgs);
  }
}
