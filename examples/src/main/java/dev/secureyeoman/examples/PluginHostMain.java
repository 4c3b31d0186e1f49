package dev.secureyeoman.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.AuditStoreOptions;
import dev.secureyeoman.audit.SqliteAuditStore;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.KeySource;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.OutboundMessage;
import dev.secureyeoman.integrations.SendReceipt;
import dev.secureyeoman.integrations.UnifiedMessage;
import dev.secureyeoman.integrations.WebhookRequest;
import dev.secureyeoman.integrations.WebhookResponse;
import dev.secureyeoman.integrations.plugin.HotReloader;
import dev.secureyeoman.integrations.plugin.IntegrationManager;
import dev.secureyeoman.integrations.plugin.IntegrationStatus;
import dev.secureyeoman.integrations.plugin.PluginConfigSource;
import dev.secureyeoman.integrations.plugin.PluginException;
import dev.secureyeoman.integrations.plugin.PluginLoader;
import dev.secureyeoman.integrations.plugin.PluginScan;
import dev.secureyeoman.integrations.plugin.TrustFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The plugin host example: loads integration plugins from a directory, runs them under an {@link IntegrationManager}
 * and serves their webhooks on loopback.
 *
 * <pre>
 * java -cp examples/target/gateway.jar dev.secureyeoman.examples.PluginHostMain \
 *     --plugins plugins/ [--config app.yaml] [--trust plugins.trust] [--data-dir D] [--port P] [--dev] [--once]
 * curl -s -H 'X-Echo-Secret: ...' -d 'hello' http://127.0.0.1:8081/hooks/echo
 * </pre>
 *
 * <p>What it wires: a {@link PluginLoader} (optionally with a {@link TrustFile}), the SQLite audit log, per-plugin
 * configuration from section {@code integrations.<id>} of {@code --config} (plain or {@code *.enc.yaml} with the key
 * in {@code SECUREYEOMAN_CONFIG_KEY}), a router that answers every inbound message in its thread, and
 * {@code POST /hooks/<id>} → {@link IntegrationManager#handleWebhook}. {@code --dev} turns on hot reload of the plugin
 * directory; {@code --once} loads and starts everything, prints the status and exits (1 if any plugin failed).
 */
public final class PluginHostMain implements AutoCloseable {

  /**
   * Hibernate Validator (used by the config loader) logs its version through java.util.logging on stderr; this program
   * keeps stderr to its own lines. Held in a field: JUL keeps loggers weakly.
   */
  private static final java.util.logging.Logger HIBERNATE_VALIDATOR_JUL =
      java.util.logging.Logger.getLogger("org.hibernate.validator");

  /** Usage line printed with argument errors. */
  public static final String USAGE = "usage: plugin-host --plugins DIR [--config FILE] [--trust FILE] [--data-dir DIR]"
      + " [--port P] [--dev] [--once]";

  private final Deque<AutoCloseable> opened;
  private final HttpServer server;
  private final IntegrationManager manager;
  private final List<PluginException> failures;

  private PluginHostMain(Deque<AutoCloseable> opened, HttpServer server, IntegrationManager manager,
      List<PluginException> failures) {
    this.opened = opened;
    this.server = server;
    this.manager = manager;
    this.failures = failures;
  }

  /**
   * Command-line options.
   *
   * @param plugins the plugin directory
   * @param config the integrations' configuration file, if any
   * @param trust the trust file, if any
   * @param dataDir where the audit log lives
   * @param port loopback port for webhooks (0 = ephemeral)
   * @param dev hot reload
   * @param once start, report, exit
   */
  public record Options(Path plugins, Optional<Path> config, Optional<Path> trust, Path dataDir, int port,
      boolean dev, boolean once) {

    /**
     * Parses the arguments.
     *
     * @param args the arguments
     * @return the options
     * @throws IllegalArgumentException naming the problem (a usage error)
     */
    public static Options parse(String... args) {
      Map<String, String> values = new java.util.HashMap<>();
      boolean dev = false;
      boolean once = false;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--dev" -> dev = true;
          case "--once" -> once = true;
          case "--plugins", "--config", "--trust", "--data-dir", "--port" -> {
            if (i + 1 >= args.length || args[i + 1].isEmpty()) {
              throw new IllegalArgumentException(args[i] + " needs a value");
            }
            values.put(args[i], args[++i]);
          }
          default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
        }
      }
      if (!values.containsKey("--plugins")) {
        throw new IllegalArgumentException("--plugins is required");
      }
      int port;
      try {
        port = Integer.parseInt(values.getOrDefault("--port", "8081"));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("--port must be 0-65535");
      }
      return new Options(Path.of(values.get("--plugins")), Optional.ofNullable(values.get("--config")).map(Path::of),
          Optional.ofNullable(values.get("--trust")).map(Path::of),
          Path.of(values.getOrDefault("--data-dir", "plugin-host-data")), port, dev, once);
    }
  }

  /**
   * Starts the host: scans and registers plugins (printing one line per jar), starts them, serves webhooks.
   *
   * @param o the options
   * @param env environment lookup ({@code SECUREYEOMAN_AUDIT_KEY}, {@code SECUREYEOMAN_CONFIG_KEY})
   * @param out where progress lines go
   * @return the running host
   * @throws Exception if the host itself cannot start (bad trust file, unusable data directory, port in use)
   */
  public static PluginHostMain start(Options o, Function<String, String> env, PrintStream out) throws Exception {
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    try {
      Files.createDirectories(o.dataDir());
      Files.setPosixFilePermissions(o.dataDir(), PosixFilePermissions.fromString("rwx------"));
      AuditStore audit = SqliteAuditStore.open(AuditStoreOptions.builder(o.dataDir().resolve("plugin-host-audit.db"))
          .macKey(auditKey(env, out)).build());
      opened.push(audit);

      PluginLoader.Builder lb = PluginLoader.builder().directory(o.plugins());
      if (o.trust().isPresent()) {
        lb.trustFile(TrustFile.read(o.trust().get()));
      }
      PluginLoader loader = lb.build();
      opened.push(loader);

      AtomicReference<IntegrationManager> ref = new AtomicReference<>();
      IntegrationManager manager = IntegrationManager.builder()
          .auditSink(audit)
          .configSource(configSource(o.config(), env))
          .inboundSink(message -> reply(ref.get(), message, out))
          .clock(Clock.systemUTC())
          .build();
      ref.set(manager);
      opened.push(manager);

      PluginScan scan = loader.scan();
      scan.entries().forEach(e -> out.println("plugin " + e.summaryLine()));
      List<PluginException> failures = new ArrayList<>();
      for (PluginException e : manager.registerAll(scan)) {
        if (scan.rejected().stream().noneMatch(r -> r == e)) {
          failures.add(e); // loaded but not registered (config, factory, init)
        }
      }
      failures.addAll(manager.startAll());
      failures.forEach(e -> out.println("failed " + e.getMessage().replace("\n", "\n  ")));
      failures.addAll(scan.rejected());
      for (IntegrationStatus s : manager.statuses()) {
        out.println("integration " + s.id() + " " + s.version().orElse("built-in") + " " + s.state());
      }
      if (o.dev()) {
        HotReloader reloader = HotReloader.builder().loader(loader).manager(manager)
            .listener(ev -> out.println("reload " + ev.kind() + " " + ev.fileName()
                + ev.error().map(x -> ": " + x.shortReason()).orElse("")))
            .build();
        opened.push(reloader);
        reloader.start();
      }
      HttpServer server = null;
      if (!o.once()) {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), o.port()), 0);
        ExecutorService http = Executors.newFixedThreadPool(4);
        opened.push(http::shutdownNow);
        server.setExecutor(http);
        server.createContext("/hooks/", ex -> webhook(manager, ex));
        server.start();
        HttpServer s = server;
        opened.push(() -> s.stop(0));
        out.println("serving webhooks on http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/<id>");
      }
      return new PluginHostMain(opened, server, manager, failures);
    } catch (Exception | Error e) {
      closeAll(opened);
      throw e;
    }
  }

  /**
   * Returns the webhook port.
   *
   * @return the bound port, or -1 with {@code --once}
   */
  public int port() {
    return server == null ? -1 : server.getAddress().getPort();
  }

  /**
   * Returns the start-up failures (rejected jars, plugins that could not be registered or started).
   *
   * @return the failures
   */
  public List<PluginException> failures() {
    return List.copyOf(failures);
  }

  /**
   * Returns the manager (to inspect statuses).
   *
   * @return the manager
   */
  public IntegrationManager manager() {
    return manager;
  }

  /** Stops the HTTP server, the plugins and the audit log. */
  @Override
  public void close() {
    closeAll(opened);
  }

  /**
   * Runs the host from the command line.
   *
   * @param args arguments
   * @param env environment lookup
   * @param out standard output
   * @param err standard error
   * @return the exit code: 0, 1 (start-up failure, or a plugin failed with {@code --once}), 2 (usage)
   */
  static int launch(String[] args, Function<String, String> env, PrintStream out, PrintStream err) {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage() + " (" + USAGE + ")");
      return 2;
    }
    PluginHostMain host;
    try {
      host = start(o, env, out);
    } catch (Exception e) {
      err.println("error: " + String.valueOf(e.getMessage()).replace('\n', ' '));
      return 1;
    }
    if (o.once()) {
      int code = host.failures().isEmpty() ? 0 : 1;
      host.close();
      return code;
    }
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      host.close();
      stop.countDown();
    }));
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * Entry point.
   *
   * @param args see {@link #USAGE}
   */
  public static void main(String[] args) {
    HIBERNATE_VALIDATOR_JUL.setLevel(java.util.logging.Level.WARNING);
    System.exit(launch(args, System::getenv, System.out, System.err));
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** The router: answers every inbound message in its own thread with the same text. */
  private static void reply(IntegrationManager manager, UnifiedMessage m, PrintStream out) throws IntegrationException {
    out.println("inbound " + m.thread().canonical() + " from " + m.sender().id() + ": " + m.text().length() + " chars");
    SendReceipt r = manager.send(OutboundMessage.replyTo(m, m.text()));
    out.println("replied " + r.messageId() + " in " + m.thread().canonical());
  }

  private static PluginConfigSource configSource(Optional<Path> file, Function<String, String> env) {
    if (file.isEmpty()) {
      return new PluginConfigSource() {
        @Override
        public <C> C load(String id, Class<C> type) throws PluginException {
          throw PluginException.configInvalid(id, null, "no configuration file given (--config)", List.of(), null);
        }
      };
    }
    KeySource key = env.apply("SECUREYEOMAN_CONFIG_KEY") == null ? null
        : KeySource.rawKeyFromEnv("SECUREYEOMAN_CONFIG_KEY", env);
    return PluginConfigSource.fromFile(file.get(), key);
  }

  private static SecretBytes auditKey(Function<String, String> env, PrintStream out) throws Exception {
    String b64 = env.apply("SECUREYEOMAN_AUDIT_KEY");
    if (b64 != null) {
      return KeySource.rawKeyFromEnv("SECUREYEOMAN_AUDIT_KEY", env).loadRawKey();
    }
    out.println("note: SECUREYEOMAN_AUDIT_KEY is not set; this run's audit log uses a one-time key");
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return SecretBytes.adopt(k);
  }

  /** {@code POST /hooks/<id>}: the web layer's part of a webhook, everything else is the integration's. */
  private static void webhook(IntegrationManager manager, HttpExchange ex) throws IOException {
    try (ex) {
      String id = ex.getRequestURI().getPath().substring("/hooks/".length());
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readNBytes(WebhookRequest.MAX_BODY_BYTES + 1);
      }
      WebhookResponse r;
      if (body.length > WebhookRequest.MAX_BODY_BYTES) {
        r = WebhookResponse.json(413, "{\"error\":\"body too large\"}");
      } else {
        WebhookRequest.Builder b = WebhookRequest.builder(ex.getRequestMethod(), "/").body(body)
            .receivedAt(Clock.systemUTC().instant());
        ex.getRequestHeaders().forEach((name, values) -> values.forEach(v -> b.header(name, v)));
        r = manager.handleWebhook(id, b.build());
      }
      byte[] out = r.body();
      if (!r.contentType().isEmpty()) {
        ex.getResponseHeaders().set("Content-Type", r.contentType());
      }
      ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      ex.sendResponseHeaders(r.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        try (OutputStream os = ex.getResponseBody()) {
          os.write(out);
        }
      }
    }
  }

  private static void closeAll(Deque<AutoCloseable> opened) {
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
      } catch (Exception e) {
        // best effort on shutdown; the plugins and the audit log close independently
      }
    }
  }
}
