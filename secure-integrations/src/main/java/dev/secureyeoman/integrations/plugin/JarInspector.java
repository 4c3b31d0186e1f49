package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.ZipException;

/**
 * Reads a shadow copy without running any of its code: zip signature, readability, bounded entries (count, name length,
 * depth, real inflated size per entry and in total — declared sizes are not trusted), no manifest {@code Class-Path} or
 * {@code INDEX.LIST}, no SDK classes bundled by mistake, the descriptor, and {@code lib/*.jar} (extracted, bounded, into
 * the generation directory, and checked the same way).
 *
 * <p>The jars stay open: the class loader is built over exactly the files inspected here, never a path opened again.
 */
final class JarInspector {
  private static final Pattern NESTED_LIB = Pattern.compile("lib/[A-Za-z0-9][A-Za-z0-9._+-]{0,127}\\.jar");
  private static final String SDK_PATH = PluginClassLoader.SDK_PREFIX.replace('.', '/');
  private static final Pattern MULTI_RELEASE = Pattern.compile("^META-INF/versions/[0-9]+/");
  private static final String INDEX_LIST = "META-INF/INDEX.LIST";

  /** What inspection found: the descriptor and the open jars (plugin jar first), with their paths. */
  record Inspection(PluginDescriptor descriptor, List<JarFile> jars, List<Path> paths) {}

  private JarInspector() {}

  static Inspection inspect(ShadowStore.ShadowCopy copy, String jarName, PluginLoader.Limits limits)
      throws PluginException {
    checkSignature(copy.head(), jarName);
    List<JarFile> open = new ArrayList<>();
    List<Path> paths = new ArrayList<>();
    try {
      JarFile zip = PluginClassLoader.openJar(copy.jar());
      open.add(zip);
      paths.add(copy.jar());
      long[] budget = {limits.maxExtractedBytes()};
      List<String> libs = new ArrayList<>();
      checkEntries(zip, jarName, "", limits, budget, libs);
      if (libs.size() > limits.maxNestedLibs()) {
        throw PluginException.forJar(Reason.TOO_LARGE, jarName, "more than " + limits.maxNestedLibs() + " lib/*.jar");
      }
      JarEntry descriptorEntry = zip.getJarEntry(PluginDescriptor.PATH);
      if (descriptorEntry == null || descriptorEntry.isDirectory()) {
        throw PluginException.forJar(Reason.DESCRIPTOR_MISSING, jarName, "no " + PluginDescriptor.PATH);
      }
      byte[] descriptorBytes;
      try (InputStream in = zip.getInputStream(descriptorEntry)) {
        descriptorBytes = in.readNBytes(PluginDescriptor.MAX_BYTES + 1);
      }
      PluginDescriptor descriptor = PluginDescriptor.parse(descriptorBytes, jarName);
      extractLibs(zip, libs, copy, jarName, limits, budget, open, paths);
      return new Inspection(descriptor, List.copyOf(open), List.copyOf(paths));
    } catch (PluginException e) {
      PluginClassLoader.closeAll(open);
      throw e;
    } catch (ZipException e) {
      PluginClassLoader.closeAll(open);
      throw PluginException.forJar(Reason.CORRUPT_JAR, jarName,
          "truncated or corrupt zip (" + Texts.oneLine(e.getMessage(), 120) + ")");
    } catch (IOException e) {
      PluginClassLoader.closeAll(open);
      throw PluginException.forJar(Reason.IO_ERROR, jarName, "cannot read (" + e.getClass().getSimpleName() + ")", e);
    } catch (IllegalArgumentException | SecurityException e) {
      PluginClassLoader.closeAll(open);
      throw PluginException.forJar(Reason.CORRUPT_JAR, jarName, "corrupt zip or manifest ("
          + e.getClass().getSimpleName() + ")");
    } catch (RuntimeException | Error e) {
      PluginClassLoader.closeAll(open);
      throw e;
    }
  }

  /**
   * Bounds every entry of one jar and refuses references to other code. Every entry is inflated once, counting the
   * real bytes against the per-entry bound and the shared {@code budget}; collects {@code lib/*.jar} names.
   */
  private static void checkEntries(JarFile zip, String jarName, String prefix, PluginLoader.Limits limits,
      long[] budget, List<String> libs) throws IOException, PluginException {
    if (zip.size() > limits.maxEntries()) {
      throw PluginException.forJar(Reason.TOO_LARGE, jarName, prefix + "more than " + limits.maxEntries() + " entries");
    }
    Manifest mf = zip.getManifest();
    if (mf != null) {
      String cp = mf.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
      if (cp != null && !cp.isBlank()) {
        throw PluginException.forJar(Reason.CLASS_PATH, jarName, prefix + "manifest declares Class-Path (only the "
            + "verified jar's own classes are loadable; bundle libraries as lib/*.jar)");
      }
    }
    byte[] buf = new byte[64 * 1024];
    int count = 0;
    Enumeration<JarEntry> entries = zip.entries();
    while (entries.hasMoreElements()) {
      JarEntry e = entries.nextElement();
      if (++count > limits.maxEntries()) {
        throw PluginException.forJar(Reason.TOO_LARGE, jarName, prefix + "more than " + limits.maxEntries()
            + " entries");
      }
      String name = e.getName();
      if (name.length() > PluginLoader.MAX_ENTRY_NAME_CHARS) {
        throw PluginException.forJar(Reason.TOO_LARGE, jarName, prefix + "an entry name is longer than "
            + PluginLoader.MAX_ENTRY_NAME_CHARS + " characters");
      }
      if (depth(name) > PluginLoader.MAX_ENTRY_DEPTH) {
        throw PluginException.forJar(Reason.TOO_LARGE, jarName, prefix + "an entry is nested deeper than "
            + PluginLoader.MAX_ENTRY_DEPTH + " directories");
      }
      if (name.toUpperCase(Locale.ROOT).equals(INDEX_LIST)) {
        throw PluginException.forJar(Reason.CLASS_PATH, jarName, prefix + INDEX_LIST
            + " is refused (it points the class loader at other jars)");
      }
      if (isSdkClass(name)) {
        throw bundlesSdk(jarName, prefix + name);
      }
      if (prefix.isEmpty() && NESTED_LIB.matcher(name).matches()) {
        libs.add(name);
      }
      if (e.isDirectory()) {
        continue;
      }
      if (e.getSize() > limits.maxEntryBytes()) {
        throw entryTooLarge(jarName, prefix + Texts.oneLine(name, 120), limits);
      }
      long size = 0;
      try (InputStream in = zip.getInputStream(e)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          size += n;
          budget[0] -= n;
          if (size > limits.maxEntryBytes()) {
            throw entryTooLarge(jarName, prefix + Texts.oneLine(name, 120), limits);
          }
          if (budget[0] < 0) {
            throw PluginException.forJar(Reason.TOO_LARGE, jarName, "entries expand to more than "
                + limits.maxExtractedBytes() + " bytes in total");
          }
        }
      }
    }
  }

  private static int depth(String name) {
    int d = 0;
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) == '/' && i < name.length() - 1) {
        d++;
      }
    }
    return d;
  }

  private static PluginException entryTooLarge(String jarName, String entry, PluginLoader.Limits limits) {
    return PluginException.forJar(Reason.TOO_LARGE, jarName, "entry " + entry + " expands to more than "
        + limits.maxEntryBytes() + " bytes");
  }

  private static void checkSignature(byte[] head, String jarName) throws PluginException {
    if (!isZipSignature(head)) {
      throw PluginException.forJar(Reason.NOT_A_JAR, jarName, "not a zip archive (no 'PK' signature)");
    }
  }

  static boolean isZipSignature(byte[] head) {
    return head.length == 4 && head[0] == 'P' && head[1] == 'K'
        && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));
  }

  private static void extractLibs(JarFile zip, List<String> libs, ShadowStore.ShadowCopy copy, String jarName,
      PluginLoader.Limits limits, long[] budget, List<JarFile> open, List<Path> paths)
      throws IOException, PluginException {
    if (libs.isEmpty()) {
      return;
    }
    Path libDir = Files.createDirectory(copy.libDir(),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    for (int i = 0; i < libs.size(); i++) {
      String name = libs.get(i);
      Path target = libDir.resolve(i + ".jar"); // generated name: the entry name is never a path
      byte[] head;
      try (InputStream in = zip.getInputStream(zip.getJarEntry(name));
          // created read-only in one open(O_CREAT|O_EXCL): the descriptor is writable, the file never is
          OutputStream o = Channels.newOutputStream(Files.newByteChannel(target, Set.of(StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(ShadowStore.READ_ONLY)))) {
        head = in.readNBytes(4);
        o.write(head);
        in.transferTo(o); // bounded: every entry was inflated and counted by checkEntries
      }
      if (!isZipSignature(head)) {
        throw PluginException.forJar(Reason.CORRUPT_JAR, jarName, name + " is not a jar");
      }
      JarFile lib;
      try {
        lib = PluginClassLoader.openJar(target);
      } catch (IOException e) {
        throw PluginException.forJar(Reason.CORRUPT_JAR, jarName, name + " is truncated or corrupt");
      }
      open.add(lib);
      paths.add(target);
      try {
        checkEntries(lib, jarName, name + "!/", limits, budget, new ArrayList<>());
      } catch (ZipException e) {
        throw PluginException.forJar(Reason.CORRUPT_JAR, jarName, name + " is truncated or corrupt");
      }
    }
  }

  /** An SDK class file, also inside a multi-release jar's {@code META-INF/versions/N/}. */
  static boolean isSdkClass(String entryName) {
    String name = MULTI_RELEASE.matcher(entryName).replaceFirst("");
    return name.startsWith(SDK_PATH) && name.endsWith(".class");
  }

  private static PluginException bundlesSdk(String jarName, String entry) {
    return PluginException.forJar(Reason.BUNDLES_SDK, jarName, "contains SDK class " + Texts.oneLine(entry, 200)
        + " (depend on secure-integrations with <scope>provided</scope>)");
  }
}
