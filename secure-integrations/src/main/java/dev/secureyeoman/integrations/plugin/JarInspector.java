package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a shadow copy without running any of its code: zip signature, readability, entry count, SDK classes bundled by
 * mistake, the descriptor, and {@code lib/*.jar} (extracted, bounded, into the generation directory).
 */
final class JarInspector {
  private static final Pattern NESTED_LIB = Pattern.compile("lib/[A-Za-z0-9][A-Za-z0-9._+-]{0,127}\\.jar");
  private static final String SDK_PATH = PluginClassLoader.SDK_PREFIX.replace('.', '/');
  private static final Pattern MULTI_RELEASE = Pattern.compile("^META-INF/versions/[0-9]+/");

  /** What inspection found. */
  record Inspection(PluginDescriptor descriptor, List<Path> nestedLibs) {}

  private JarInspector() {}

  static Inspection inspect(ShadowStore.ShadowCopy copy, String jarName, PluginLoader.Limits limits)
      throws PluginException {
    checkSignature(copy.head(), jarName);
    try (ZipFile zip = new ZipFile(copy.jar().toFile())) {
      if (zip.size() > limits.maxEntries()) {
        throw PluginException.forJar(Reason.TOO_LARGE, jarName, "more than " + limits.maxEntries() + " entries");
      }
      List<String> libs = new ArrayList<>();
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        String name = entries.nextElement().getName();
        if (isSdkClass(name)) {
          throw bundlesSdk(jarName, name);
        }
        if (NESTED_LIB.matcher(name).matches()) {
          libs.add(name);
        }
      }
      if (libs.size() > limits.maxNestedLibs()) {
        throw PluginException.forJar(Reason.TOO_LARGE, jarName, "more than " + limits.maxNestedLibs() + " lib/*.jar");
      }
      ZipEntry descriptorEntry = zip.getEntry(PluginDescriptor.PATH);
      if (descriptorEntry == null || descriptorEntry.isDirectory()) {
        throw PluginException.forJar(Reason.DESCRIPTOR_MISSING, jarName, "no " + PluginDescriptor.PATH);
      }
      byte[] descriptorBytes;
      try (InputStream in = zip.getInputStream(descriptorEntry)) {
        descriptorBytes = in.readNBytes(PluginDescriptor.MAX_BYTES + 1);
      }
      PluginDescriptor descriptor = PluginDescriptor.parse(descriptorBytes, jarName);
      List<Path> extracted = extractLibs(zip, libs, copy, jarName, limits);
      return new Inspection(descriptor, extracted);
    } catch (ZipException e) {
      throw PluginException.forJar(Reason.CORRUPT_JAR, jarName,
          "truncated or corrupt zip (" + Texts.oneLine(e.getMessage(), 120) + ")");
    } catch (IOException e) {
      throw PluginException.forJar(Reason.IO_ERROR, jarName, "cannot read (" + e.getClass().getSimpleName() + ")", e);
    } catch (IllegalArgumentException e) {
      throw PluginException.forJar(Reason.CORRUPT_JAR, jarName, "corrupt zip (invalid entry name)");
    }
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

  private static List<Path> extractLibs(
      ZipFile zip, List<String> libs, ShadowStore.ShadowCopy copy, String jarName, PluginLoader.Limits limits)
      throws IOException, PluginException {
    List<Path> out = new ArrayList<>();
    if (libs.isEmpty()) {
      return out;
    }
    Path libDir = Files.createDirectory(copy.libDir(),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    long budget = limits.maxExtractedBytes();
    for (int i = 0; i < libs.size(); i++) {
      String name = libs.get(i);
      Path target = libDir.resolve(i + ".jar"); // generated name: the entry name is never a path
      try (InputStream in = zip.getInputStream(zip.getEntry(name));
          OutputStream o = Files.newOutputStream(Files.createFile(target,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
              StandardOpenOption.WRITE)) {
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
          budget -= n;
          if (budget < 0) {
            throw PluginException.forJar(Reason.TOO_LARGE, jarName,
                "lib/*.jar expand to more than " + limits.maxExtractedBytes() + " bytes");
          }
          o.write(buf, 0, n);
        }
      }
      checkNested(target, jarName, name);
      out.add(target);
    }
    return out;
  }

  private static void checkNested(Path lib, String jarName, String entryName) throws PluginException {
    byte[] head;
    try (InputStream in = Files.newInputStream(lib)) {
      head = in.readNBytes(4);
    } catch (IOException e) {
      throw PluginException.forJar(Reason.IO_ERROR, jarName, "cannot read " + entryName, e);
    }
    if (!isZipSignature(head)) {
      throw PluginException.forJar(Reason.CORRUPT_JAR, jarName, entryName + " is not a jar");
    }
    try (ZipFile zip = new ZipFile(lib.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        String name = entries.nextElement().getName();
        if (isSdkClass(name)) {
          throw bundlesSdk(jarName, entryName + "!/" + name);
        }
      }
    } catch (IOException e) {
      throw PluginException.forJar(Reason.CORRUPT_JAR, jarName, entryName + " is truncated or corrupt");
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
