package dev.secureyeoman.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example gateway: {@code java -jar examples/target/gateway.jar [--port P] [--data-dir D]}.
 *
 * <p>Serves {@code GET /healthz} on loopback. Later issues wire authentication, the audit log and the HTTP hardening
 * controls into it; until then it deliberately exposes nothing else.
 */
public final class GatewayMain {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayMain.class);

  private final HttpServer server;
  private final Path dataDir;

  private GatewayMain(HttpServer server, Path dataDir) {
    this.server = server;
    this.dataDir = dataDir;
  }

  /**
   * Starts the gateway on loopback.
   *
   * @param port TCP port, 0 for an ephemeral one
   * @param dataDir directory for embedded state, created 0700 if missing
   * @return the running gateway
   * @throws IOException if the port cannot be bound or the directory created
   */
  public static GatewayMain start(int port, Path dataDir) throws IOException {
    if (!Files.exists(dataDir)) {
      Files.createDirectories(dataDir);
      Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
    }
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext("/healthz", GatewayMain::healthz);
    server.createContext("/", ex -> json(ex, 404, "{\"error\":\"not found\"}"));
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    return new GatewayMain(server, dataDir);
  }

  /**
   * Returns the bound port.
   *
   * @return the port
   */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Returns the data directory.
   *
   * @return the directory holding embedded state
   */
  public Path dataDir() {
    return dataDir;
  }

  /** Stops the server. */
  public void stop() {
    server.stop(0);
  }

  private static void healthz(HttpExchange ex) throws IOException {
    if (!"GET".equals(ex.getRequestMethod())) {
      json(ex, 405, "{\"error\":\"method not allowed\"}");
      return;
    }
    json(ex, 200, "{\"status\":\"ok\"}");
  }

  private static void json(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  /**
   * Command-line entry point.
   *
   * @param args {@code [--port P] [--data-dir D]}
   * @throws IOException if the server cannot start
   */
  public static void main(String[] args) throws IOException {
    int port = 8080;
    Path dataDir = Path.of("data");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (("--port".equals(a) || "--data-dir".equals(a)) && i + 1 < args.length) {
        String v = args[++i];
        if ("--port".equals(a)) {
          try {
            port = Integer.parseInt(v);
          } catch (NumberFormatException e) {
            port = -1;
          }
          if (port < 0 || port > 65535) {
            System.err.println("error: --port must be 0-65535");
            System.exit(2);
          }
        } else {
          dataDir = Path.of(v);
        }
      } else {
        System.err.println("error: unknown argument '" + a + "' (usage: gateway [--port P] [--data-dir D])");
        System.exit(2);
      }
    }
    GatewayMain g = start(port, dataDir);
    LOG.info("SecureYeoman gateway listening on http://127.0.0.1:{}/healthz (data dir {})", g.port(), dataDir);
    Runtime.getRuntime().addShutdownHook(new Thread(g::stop, "gateway-shutdown"));
  }
}
