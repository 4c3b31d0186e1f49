package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code secureyeoman plugins check} as a real process, on the sample plugin jar built by the reactor
 * ({@code examples/sample-plugin}) and broken jars made here.
 */
class PluginsCommandTest {
  @TempDir Path dir;
  @TempDir Path tmp;
  private Path sampleJar;

  @BeforeEach
  void sampleJar() {
    sampleJar = Path.of(System.getProperty("sample.plugin.jar", "missing"));
    assertTrue(Files.isRegularFile(sampleJar), "the sample plugin jar is built by the reactor before this module; "
        + "run './mvnw verify' (package phase) first: " + sampleJar);
  }

  private Run process(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + tmp, "-cp",
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        SecureYeomanCli.class.getName()));
    cmd.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    return new Run(p.exitValue(), out, err);
  }

  private static String sha256(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  private static void zip(Path target, String entry, String content) throws IOException {
    try (OutputStream o = Files.newOutputStream(target); ZipOutputStream z = new ZipOutputStream(o)) {
      z.putNextEntry(new ZipEntry(entry));
      z.write(content.getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
  }

  @Test
  void check_goodAndBadJars_oneLinePerJarAndExit1() throws Exception {
    Path echo = Files.copy(sampleJar, dir.resolve("echo.jar"));
    byte[] bytes = Files.readAllBytes(echo);
    Files.write(dir.resolve("truncated.jar"), Arrays.copyOf(bytes, bytes.length / 2));
    Files.writeString(dir.resolve("readme.jar"), "not a jar\n");
    zip(dir.resolve("nodesc.jar"), "com/example/Nothing.txt", "no descriptor here");
    Path outside = Files.copy(sampleJar, tmp.resolve("elsewhere.jar"));
    Files.createSymbolicLink(dir.resolve("link.jar"), outside);
    Files.writeString(dir.resolve("notes.txt"), "ignored: not a .jar");

    Run r = process("plugins", "check", "--dir", dir.toString());
    assertEquals(1, r.code(), r.err());
    String sha = sha256(echo);
    assertEquals(String.join("\n",
        "echo.jar echo 0.1.0-SNAPSHOT " + sha + " LOADED",
        "link.jar - - - REJECTED symlink: is a symbolic link (refused, not followed)",
        "nodesc.jar - - " + sha256(dir.resolve("nodesc.jar"))
            + " REJECTED descriptor-missing: no META-INF/secureyeoman-plugin.properties",
        "readme.jar - - " + sha256(dir.resolve("readme.jar"))
            + " REJECTED not-a-jar: not a zip archive (no 'PK' signature)",
        "truncated.jar - - " + sha256(dir.resolve("truncated.jar"))
            + " REJECTED corrupt-jar: truncated or corrupt zip (zip END header not found)") + "\n", r.out());
    assertEquals("error: 4 of 5 plugin jars rejected\n", r.err());
    try (Stream<Path> s = Files.walk(tmp)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().matches("g[0-9]+\\.jar")), "shadow copies are removed");
    }
  }

  @Test
  void check_trustFile_unlistedJarRejectedListedLoaded() throws Exception {
    Path echo = Files.copy(sampleJar, dir.resolve("echo.jar"));
    Path trust = Files.writeString(tmp.resolve("plugins.trust"), "# trusted\necho " + sha256(echo) + "\n");
    Run ok = process("plugins", "check", "--dir", dir.toString(), "--trust", trust.toString());
    assertEquals(0, ok.code(), ok.err());
    assertEquals("echo.jar echo 0.1.0-SNAPSHOT " + sha256(echo) + " LOADED\n", ok.out());
    assertEquals("", ok.err());

    Files.writeString(trust, "echo " + "0".repeat(64) + "\n");
    Run refused = process("plugins", "check", "--dir", dir.toString(), "--trust", trust.toString());
    assertEquals(1, refused.code());
    assertEquals("echo.jar - - " + sha256(echo) + " REJECTED untrusted: sha256 is not listed in the trust file\n",
        refused.out());
  }

  @Test
  void check_usageAndInputErrors_exitCodes() throws Exception {
    Run missing = process("plugins", "check");
    assertEquals(2, missing.code());
    assertTrue(missing.err().startsWith("error: Missing required option: '--dir=D'"), missing.err());
    assertEquals(1, missing.err().lines().count());
    assertEquals(2, process("plugins").code());
    assertEquals(2, process("plugins", "check", "--dir", dir.toString(), "--bogus").code());

    Run notDir = process("plugins", "check", "--dir", dir.resolve("absent").toString());
    assertEquals(1, notDir.code());
    assertEquals("error: " + dir.resolve("absent") + ": not a directory\n", notDir.err());

    Path badTrust = Files.writeString(tmp.resolve("bad.trust"), "echo not-a-hash\n");
    Run trust = process("plugins", "check", "--dir", dir.toString(), "--trust", badTrust.toString());
    assertEquals(1, trust.code());
    assertEquals("error: " + badTrust + ": trust-file-invalid: line 1: sha256 must be 64 hex digits\n", trust.err());
    assertEquals("", trust.out());
  }

  @Test
  void check_emptyDirectory_exit0InProcess() {
    Run r = Run.of("plugins", "check", "--dir", dir.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("", r.out());
  }

  @Test
  void check_whileAHostHoldsTheDirectory_checksAndRefusesClassPathJars() throws Exception {
    Path echo = Files.copy(sampleJar, dir.resolve("echo.jar"));
    // the sample plugin again, its manifest pointing the class loader at a jar nobody verified
    Path cp = dir.resolve("cp.jar");
    try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(sampleJar.toFile());
        OutputStream o = Files.newOutputStream(cp); ZipOutputStream z = new ZipOutputStream(o)) {
      z.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
      z.write("Manifest-Version: 1.0\r\nClass-Path: /tmp/unverified.jar\r\n\r\n".getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
      for (ZipEntry e : java.util.Collections.list(in.entries())) {
        if (!e.getName().equalsIgnoreCase("META-INF/MANIFEST.MF")) {
          z.putNextEntry(new ZipEntry(e.getName()));
          z.write(in.getInputStream(e).readAllBytes());
          z.closeEntry();
        }
      }
    }
    String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
    try (dev.secureyeoman.integrations.plugin.PluginLoader host = dev.secureyeoman.integrations.plugin.PluginLoader
        .builder().directory(dir).shadowDirectory(tmp.resolve("secureyeoman-plugins-" + user)).build()) {
      Run r = process("plugins", "check", "--dir", dir.toString());
      assertEquals(1, r.code(), r.err());
      assertEquals(String.join("\n",
          "cp.jar - - " + sha256(cp) + " REJECTED class-path: manifest declares Class-Path (only the verified jar's "
              + "own classes are loadable; bundle libraries as lib/*.jar)",
          "echo.jar echo 0.1.0-SNAPSHOT " + sha256(echo) + " LOADED") + "\n", r.out(),
          "a check takes no host lock, so it runs beside the host " + host);
    }
  }
}
