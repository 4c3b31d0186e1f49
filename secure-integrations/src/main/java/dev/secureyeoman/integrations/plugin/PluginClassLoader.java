package dev.secureyeoman.integrations.plugin;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Child-first class loader of one plugin generation.
 *
 * <p>Parent-first (the host's classes, so both sides agree on the types they exchange): JDK packages, SLF4J
 * ({@code org.slf4j}), Jakarta Validation ({@code jakarta.validation}) and the SDK API packages a plugin may use
 * ({@value #SDK_PREFIX}{@code integrations}, {@code core}, {@code audit}). Every other SDK class is invisible to plugins
 * ({@link ClassNotFoundException}). Anything else is looked up in the plugin jar and its {@code lib/*.jar} first and
 * only then in the host, so a plugin's bundled libraries win over the host's versions and two plugins can bundle
 * different versions of one library.
 */
final class PluginClassLoader extends URLClassLoader {
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

  PluginClassLoader(String name, URL[] urls, ClassLoader parent) {
    super(name, urls, parent);
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
  public URL getResource(String name) {
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
