package dev.secureyeoman.integrations.plugin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds real plugin jars for tests: Java sources compiled with {@code javax.tools} into a temp directory (never onto
 * the test class path, so the host cannot see plugin classes except through a plugin class loader), packed with
 * {@code java.util.jar} together with a descriptor and a {@code fixture.properties} that selects the fixture's
 * behaviour (which step throws or hangs, which id it reports, whether it calls a bundled library).
 */
final class TestPlugins {
  static final String FACTORY = "fixture.FixtureFactory";

  private static final Map<String, Path> COMPILED = new HashMap<>();
  private static Path work;

  private TestPlugins() {}

  /** Template of the fixture plugin; {@code @VERSION@} is replaced per compiled variant. */
  private static Map<String, String> fixtureSources(String version) {
    Map<String, String> src = new LinkedHashMap<>();
    src.put("fixture.Behaviour", """
        package fixture;
        import java.io.InputStream;
        import java.nio.file.Files;
        import java.nio.file.Path;
        import java.util.Properties;
        final class Behaviour {
          static final Properties P = new Properties();
          static {
            try (InputStream in = Behaviour.class.getResourceAsStream("/fixture.properties")) {
              if (in != null) { P.load(in); }
              String marker = P.getProperty("marker");
              if (marker != null) { Files.writeString(Path.of(marker), "initialised"); }
            } catch (Exception e) { throw new IllegalStateException(e); }
          }
          private Behaviour() {}
          static String get(String k, String def) { return P.getProperty(k, def); }
          static void maybeFail(String step) {
            if (step.equals(P.getProperty("hostile"))) { throw new HostileException(P.getProperty("hostile-mode")); }
            if (step.equals(P.getProperty("fail"))) { throw new IllegalStateException("boom in " + step); }
          }
          static void maybeHang(String step) throws InterruptedException {
            if (step.equals(P.getProperty("hang"))) { new java.util.concurrent.CountDownLatch(1).await(); }
          }
        }
        """);
    src.put("fixture.FixtureFactory", """
        package fixture;
        import dev.secureyeoman.integrations.Integration;
        import dev.secureyeoman.integrations.IntegrationFactory;
        public final class FixtureFactory implements IntegrationFactory {
          public FixtureFactory() { Behaviour.maybeFail("constructor"); }
          @Override public Integration<?> create() { Behaviour.maybeFail("create"); return new FixtureIntegration(); }
        }
        """);
    src.put("fixture.FixtureConfig", """
        package fixture;
        import jakarta.validation.Valid;
        import jakarta.validation.constraints.Max;
        import jakarta.validation.constraints.Min;
        import jakarta.validation.constraints.NotBlank;
        import jakarta.validation.constraints.Pattern;
        import jakarta.validation.constraints.Positive;
        import java.util.List;
        public record FixtureConfig(
            @NotBlank String greeting,
            @Min(1) @Max(10) Integer maxReplies,
            List<@Pattern(regexp = "[a-z]+") String> channels,
            @Valid Endpoint endpoint) {
          public FixtureConfig {
            String trap = Behaviour.get("config", "");
            if (trap.equals("error")) { throw new AssertionError("boom in config"); }
            if (trap.equals("hang")) {
              try { new java.util.concurrent.CountDownLatch(1).await(); }
              catch (InterruptedException e) { throw new IllegalStateException("interrupted"); }
            }
            greeting = greeting == null ? null : greeting.strip();
            maxReplies = maxReplies == null ? 3 : maxReplies;
            channels = channels == null ? List.of("general") : List.copyOf(channels);
          }
          public record Endpoint(@NotBlank String url, @Positive Integer timeoutSeconds) {}
        }
        """);
    src.put("fixture.FixtureIntegration", """
        package fixture;
        import dev.secureyeoman.audit.AuditEvent;
        import dev.secureyeoman.integrations.*;
        import java.time.Duration;
        import java.util.concurrent.ScheduledFuture;
        public final class FixtureIntegration implements Integration<FixtureConfig> {
          public static final String VERSION = "@VERSION@";
          public static volatile IntegrationContext lastContext;
          public static volatile ScheduledFuture<?> lastTick;
          private FixtureConfig config;
          private IntegrationContext ctx;
          @Override public String id() { return Behaviour.get("id", "fixture"); }
          @SuppressWarnings({"unchecked", "rawtypes"})
          @Override public Class<FixtureConfig> configType() {
            String t = Behaviour.get("config-type", "");
            if (t.equals("map")) { return (Class) java.util.Map.class; }
            if (t.equals("object")) { return (Class) Object.class; }
            return FixtureConfig.class;
          }
          @Override public void init(FixtureConfig c, IntegrationContext ctx) {
            Behaviour.maybeFail("init");
            this.config = c;
            this.ctx = ctx;
            lastContext = ctx;
            ctx.registerWebhook(req -> {
              String platform = Behaviour.get("spoof-platform", ctx.integrationId());
              ctx.inbound().accept(UnifiedMessage.builder(new ThreadKey(platform, "chat", "main"), "w1")
                  .sender(new MessageSender("u1", "User", false))
                  .text("true".equals(Behaviour.get("echo-headers", "false"))
                      ? String.join(",", req.headers().keySet()) : req.bodyAsString())
                  .receivedAt(ctx.clock().instant()).build());
              return WebhookResponse.json(200, "{\\"ok\\":true}");
            });
          }
          @Override public void start() throws IntegrationException {
            Behaviour.maybeFail("start");
            try { Behaviour.maybeHang("start"); } catch (InterruptedException e) {
              throw new IntegrationException("interrupted");
            }
            if ("true".equals(Behaviour.get("tick", "false"))) {
              lastTick = ctx.scheduler().scheduleWithFixedDelay(() -> {
                try {
                  ctx.inbound().accept(UnifiedMessage.builder(new ThreadKey(ctx.integrationId(), "chat", "main"), "tick")
                      .sender(new MessageSender("u1", "User", false)).text("tick")
                      .receivedAt(ctx.clock().instant()).build());
                } catch (IntegrationException e) { /* stopped */ }
              }, Duration.ZERO, Duration.ofMillis(2));
            }
            if ("true".equals(Behaviour.get("block-task", "false"))) {
              String marker = Behaviour.get("block-marker", "");
              ctx.scheduler().schedule(() -> {
                try {
                  java.nio.file.Files.writeString(java.nio.file.Path.of(marker + ".running"), "r");
                  new java.util.concurrent.CountDownLatch(1).await();
                } catch (InterruptedException e) {
                  try { java.nio.file.Files.writeString(java.nio.file.Path.of(marker + ".interrupted"), "i"); }
                  catch (java.io.IOException x) { /* test reports it */ }
                } catch (java.io.IOException e) { /* test reports it */ }
              }, Duration.ZERO);
            }
            if ("true".equals(Behaviour.get("audit", "false"))) {
              try {
                ctx.audit().record(AuditEvent.builder("started").message("fixture " + VERSION).build());
              } catch (Exception e) { throw new IntegrationException("audit failed", e); }
            }
          }
          @Override public void stop() throws IntegrationException {
            Behaviour.maybeFail("stop");
            try { Behaviour.maybeHang("stop"); } catch (InterruptedException e) {
              throw new IntegrationException("interrupted");
            }
          }
          @Override public SendReceipt send(OutboundMessage m) {
            if ("true".equals(Behaviour.get("lib", "false"))) { return new SendReceipt(lib.Greeter.version()); }
            return new SendReceipt(VERSION + "|" + config.greeting() + "|" + config.maxReplies() + "|"
                + String.join(",", config.channels()) + "|" + m.text());
          }
          @Override public Health health() {
            try { Behaviour.maybeHang("health"); } catch (InterruptedException e) { return Health.down("interrupted"); }
            return Health.up(VERSION);
          }
        }
        """);
    src.put("fixture.HostileException", """
        package fixture;
        public final class HostileException extends RuntimeException {
          private final String mode;
          HostileException(String mode) { this.mode = mode; }
          @Override public String getMessage() {
            if ("hang".equals(mode)) {
              try { new java.util.concurrent.CountDownLatch(1).await(); } catch (InterruptedException e) { }
            }
            throw new IllegalStateException("getMessage() refuses");
          }
          @Override public String toString() { return getMessage(); }
        }
        """);
    src.put("fixture.NotAFactory", """
        package fixture;
        public final class NotAFactory {
          public NotAFactory() {}
        }
        """);
    src.put("fixture.NoConstructorFactory", """
        package fixture;
        public final class NoConstructorFactory implements dev.secureyeoman.integrations.IntegrationFactory {
          private NoConstructorFactory() {}
          @Override public dev.secureyeoman.integrations.Integration<?> create() { return null; }
        }
        """);
    src.replaceAll((k, v) -> v.replace("@VERSION@", version));
    return src;
  }

  /** A small library bundled by plugins, in two incompatible versions. */
  static synchronized Path library(String version) {
    return compile("lib-" + version, Map.of("lib.Greeter", """
        package lib;
        public final class Greeter {
          private Greeter() {}
          public static String version() { return "lib-@V@"; }
        }
        """.replace("@V@", version)), List.of());
  }

  /** The fixture plugin's classes, compiled with the given version string (against library 1 for the lib test). */
  static synchronized Path fixtureClasses(String version) {
    return compile("fixture-" + version, fixtureSources(version), List.of(library("1")));
  }

  private static synchronized Path compile(String key, Map<String, String> sources, List<Path> extraClasspath) {
    Path cached = COMPILED.get(key);
    if (cached != null) {
      return cached;
    }
    try {
      Path dir = work().resolve(key);
      Path srcDir = dir.resolve("src");
      Path out = dir.resolve("classes");
      Files.createDirectories(out);
      List<String> files = new ArrayList<>();
      for (Map.Entry<String, String> e : sources.entrySet()) {
        Path f = srcDir.resolve(e.getKey().replace('.', '/') + ".java");
        Files.createDirectories(f.getParent());
        Files.writeString(f, e.getValue());
        files.add(f.toString());
      }
      // only what a plugin project has on its compile class path: the SDK API, Jakarta Validation and SLF4J
      StringBuilder cp = new StringBuilder();
      for (String entry : System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
          .split(java.io.File.pathSeparator)) {
        if (entry.matches(".*(secure-(core|audit|integrations)|jakarta\\.validation|slf4j-api).*")
            && !entry.endsWith("test-classes")) {
          cp.append(entry).append(java.io.File.pathSeparator);
        }
      }
      for (Path p : extraClasspath) {
        cp.append(p).append(java.io.File.pathSeparator);
      }
      List<String> args = new ArrayList<>(List.of("--release", "17", "-proc:none", "-nowarn", "-classpath",
          cp.toString(), "-d", out.toString()));
      args.addAll(files);
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int rc = javac.run(null, err, err, args.toArray(new String[0]));
      if (rc != 0) {
        throw new IllegalStateException("fixture compilation failed:\n" + err.toString(StandardCharsets.UTF_8));
      }
      COMPILED.put(key, out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path work() throws IOException {
    if (work == null) {
      work = Files.createTempDirectory("plugin-fixtures");
    }
    return work;
  }

  /** Entries of every class file below {@code classes}, as jar entry name → bytes. */
  static Map<String, byte[]> classEntries(Path classes) {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        out.put(classes.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Writes a jar with exactly these entries (in this order). */
  static Path writeJar(Path target, Map<String, byte[]> entries) {
    try (OutputStream fo = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(fo)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        jar.putNextEntry(new JarEntry(e.getKey()));
        jar.write(e.getValue());
        jar.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Spec plugin(String id) {
    return new Spec(id);
  }

  /** What goes into one fixture jar. */
  static final class Spec {
    private final String id;
    private String version = "1.0.0";
    private String classesVersion = "v1";
    private String spi = "1.0";
    private String factory = FACTORY;
    private String descriptorText;
    private boolean descriptor = true;
    private final Properties behaviour = new Properties();
    private final Map<String, byte[]> extra = new LinkedHashMap<>();

    private Spec(String id) {
      this.id = id;
      behaviour.setProperty("id", id);
    }

    Spec version(String v) {
      this.version = v;
      return this;
    }

    /** Which compiled variant of the fixture classes (its {@code VERSION} constant). */
    Spec classes(String v) {
      this.classesVersion = v;
      return this;
    }

    Spec spi(String v) {
      this.spi = v;
      return this;
    }

    /** Factory class named in the descriptor; null for none (ServiceLoader discovery). */
    Spec factory(String f) {
      this.factory = f;
      return this;
    }

    Spec descriptorText(String text) {
      this.descriptorText = text;
      return this;
    }

    Spec noDescriptor() {
      this.descriptor = false;
      return this;
    }

    Spec behave(String key, String value) {
      behaviour.setProperty(key, value);
      return this;
    }

    Spec entry(String name, byte[] bytes) {
      extra.put(name, bytes);
      return this;
    }

    String descriptorText() {
      if (descriptorText != null) {
        return descriptorText;
      }
      return "id = " + id + "\nversion = " + version + "\nspi-version = " + spi + "\n"
          + (factory == null ? "" : "factory = " + factory + "\n");
    }

    Path writeTo(Path dir, String fileName) {
      Map<String, byte[]> entries = new LinkedHashMap<>();
      if (descriptor) {
        entries.put(PluginDescriptor.PATH, utf8(descriptorText()));
      }
      entries.putAll(classEntries(fixtureClasses(classesVersion)));
      try {
        ByteArrayOutputStream props = new ByteArrayOutputStream();
        behaviour.store(props, null);
        entries.put("fixture.properties", props.toByteArray());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      entries.putAll(extra);
      return writeJar(dir.resolve(fileName), entries);
    }
  }
}
