package dev.secureyeoman.integrations.adapters;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A loopback fake of a chat platform's HTTP API (JDK HTTP server on 127.0.0.1, port 0): routes by path prefix, records
 * every request (method, path, headers, body) so tests assert what the adapter actually sent.
 */
public final class FakePlatform implements AutoCloseable {

  /** A recorded request. */
  public record Request(String method, String path, Map<String, List<String>> headers, byte[] body) {
    /**
     * First value of a header.
     *
     * @param name any case
     * @return the value or null
     */
    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    /**
     * The body as UTF-8.
     *
     * @return the text
     */
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** A canned response. */
  public record Response(int status, Map<String, String> headers, byte[] body) {
    /**
     * A JSON response.
     *
     * @param status the status
     * @param json the JSON text
     * @return the response
     */
    public static Response json(int status, String json) {
      return new Response(status, Map.of("Content-Type", "application/json"), json.getBytes(StandardCharsets.UTF_8));
    }
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Function<Request, Response>> routes = new ConcurrentHashMap<>();

  /**
   * Starts the fake.
   *
   * @throws IOException if it cannot bind
   */
  public FakePlatform() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/", ex -> {
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      Request r = new Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath()
          + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()),
          Map.copyOf(ex.getRequestHeaders()), body);
      requests.add(r);
      Response resp = route(r);
      resp.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      ex.sendResponseHeaders(resp.status(), resp.body().length == 0 ? -1 : resp.body().length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(resp.body());
      }
    });
    server.start();
  }

  private Response route(Request r) {
    String best = null;
    for (String prefix : routes.keySet()) {
      if (r.path().startsWith(prefix) && (best == null || prefix.length() > best.length())) {
        best = prefix;
      }
    }
    return best == null ? Response.json(404, "{\"error\":\"no route\"}") : routes.get(best).apply(r);
  }

  /**
   * Routes requests whose path starts with {@code prefix}.
   *
   * @param prefix the path prefix
   * @param handler the handler
   * @return this fake
   */
  public FakePlatform on(String prefix, Function<Request, Response> handler) {
    routes.put(prefix, handler);
    return this;
  }

  /**
   * The base URL, {@code http://127.0.0.1:<port>}.
   *
   * @return the URL
   */
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /**
   * The port.
   *
   * @return the port
   */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Requests so far.
   *
   * @return a copy
   */
  public List<Request> requests() {
    return new ArrayList<>(requests);
  }

  /**
   * Requests whose path starts with a prefix.
   *
   * @param prefix the prefix
   * @return the requests
   */
  public List<Request> requests(String prefix) {
    return requests.stream().filter(r -> r.path().startsWith(prefix)).toList();
  }

  /**
   * Lower-case helper for assertions.
   *
   * @param s text
   * @return lower case
   */
  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
