package dev.secureyeoman.examples.gateway;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.auth.AuthStorageException;
import dev.secureyeoman.auth.ForbiddenException;
import dev.secureyeoman.auth.InvalidCredentialsException;
import dev.secureyeoman.auth.InvalidTokenException;
import dev.secureyeoman.auth.LoginThrottledException;
import dev.secureyeoman.auth.PasswordPolicyException;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.core.killswitch.KillSwitchException;
import dev.secureyeoman.web.ApiError;
import dev.secureyeoman.web.CorsPolicy;
import dev.secureyeoman.web.RateLimitDecision;
import dev.secureyeoman.web.RateLimitPolicy;
import dev.secureyeoman.web.RequestIds;
import dev.secureyeoman.web.RequestValidationException;
import dev.secureyeoman.web.SecurityHeaders;
import dev.secureyeoman.web.SecurityMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP server: Jetty 12 core (no servlets) on loopback, with every request going through one pipeline:
 *
 * <ol>
 *   <li>request id ({@code X-Request-ID} kept if well-formed, else generated; {@code traceparent} parsed), into the
 *       MDC and every audit entry written while handling it;
 *   <li>security headers and {@code X-Request-ID} on every response, errors and 404s included (Jetty's own protocol
 *       errors too, through {@link JsonErrorHandler});
 *   <li>CORS: preflights from allowed origins answered 204, foreign origins 403;
 *   <li>the rate limit per client address (429 with {@code Retry-After});
 *   <li>the body, bounded by {@code max_body_bytes} (400 beyond it, read no further);
 *   <li>the route, with exceptions mapped to the JSON error body {@code {error, details, requestId}}.
 * </ol>
 *
 * <p>Server limits: request line + headers ≤ {@code max_header_bytes} (431), idle connections and slow clients closed
 * after {@code idle_timeout}, no {@code Server} header, graceful stop (in-flight requests finish, up to 5 s).
 */
public final class GatewayHttp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayHttp.class);

  private final Server server;
  private final ServerConnector connector;

  /** Everything the pipeline needs. */
  public record Policies(
      SecurityHeaders headers,
      RequestIds ids,
      CorsPolicy cors,
      RateLimitPolicy rateLimit,
      int maxBodyBytes,
      int maxHeaderBytes,
      Duration idleTimeout,
      SecurityMetrics metrics,
      GatewayAudit audit) {
    /** Validates. */
    public Policies {
      Objects.requireNonNull(headers, "headers");
      Objects.requireNonNull(ids, "ids");
      Objects.requireNonNull(cors, "cors");
      Objects.requireNonNull(rateLimit, "rateLimit");
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      Objects.requireNonNull(metrics, "metrics");
      Objects.requireNonNull(audit, "audit");
    }
  }

  /**
   * Creates and starts the server on {@code 127.0.0.1:port}.
   *
   * @param port the port, 0 for an ephemeral one
   * @param policies the policies
   * @param router the routes
   * @return the running server
   * @throws IOException if it cannot bind
   */
  public static GatewayHttp start(int port, Policies policies, Router router) throws IOException {
    QueuedThreadPool pool = new QueuedThreadPool(64, 4);
    pool.setName("gateway-http");
    Server server = new Server(pool);
    HttpConfiguration hc = new HttpConfiguration();
    hc.setSendServerVersion(false);
    hc.setSendXPoweredBy(false);
    hc.setRequestHeaderSize(policies.maxHeaderBytes());
    hc.setIdleTimeout(policies.idleTimeout().toMillis());
    ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(hc));
    connector.setHost(InetAddress.getLoopbackAddress().getHostAddress());
    connector.setPort(port);
    connector.setIdleTimeout(policies.idleTimeout().toMillis());
    server.addConnector(connector);
    server.setHandler(new GracefulHandler(new Pipeline(policies, router)));
    server.setErrorHandler(new JsonErrorHandler(policies));
    server.setStopTimeout(5_000);
    server.setStopAtShutdown(false);
    try {
      server.start();
    } catch (IOException e) {
      stopQuietly(server);
      throw e;
    } catch (Exception e) {
      stopQuietly(server);
      throw new IOException("cannot start the HTTP server: " + e.getMessage(), e);
    }
    return new GatewayHttp(server, connector);
  }

  private GatewayHttp(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  /**
   * The bound port.
   *
   * @return the port
   */
  public int port() {
    return connector.getLocalPort();
  }

  /** Stops accepting, lets in-flight requests finish (up to 5 s), then stops. */
  @Override
  public void close() {
    stopQuietly(server);
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("HTTP server stop: {}", e.toString());
    }
  }

  /** The per-request pipeline. */
  static final class Pipeline extends Handler.Abstract {
    private final Policies p;
    private final Router router;

    Pipeline(Policies p, Router router) {
      super(InvocationType.BLOCKING);
      this.p = p;
      this.router = router;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      HttpFields headers = request.getHeaders();
      RequestIds.RequestContext ctx =
          p.ids().resolve(headers.get(RequestIds.HEADER), headers.get(RequestIds.TRACEPARENT));
      RequestIds.Scope scope = RequestIds.open(ctx);
      try {
        ApiResponse out = process(request, ctx.requestId());
        write(response, out, ctx.requestId(), callback);
      } finally {
        scope.close();
      }
      return true;
    }

    private ApiResponse process(Request request, String requestId) {
      Map<String, String> extra = new java.util.LinkedHashMap<>();
      ApiResponse out = route(request, requestId, extra);
      for (Map.Entry<String, String> e : extra.entrySet()) {
        out = out.withHeader(e.getKey(), e.getValue());
      }
      return out;
    }

    private ApiResponse route(Request request, String requestId, Map<String, String> extra) {
      try {
        String method = request.getMethod();
        InetAddress peer = peer(request);
        boolean secure = request.isSecure();
        String host = request.getHeaders().get(HttpHeader.HOST);
        String self = host == null ? null : (secure ? "https://" : "http://") + host;
        HttpFields h = request.getHeaders();
        CorsPolicy.CorsDecision cors =
            p.cors()
                .evaluate(
                    method,
                    h.get(HttpHeader.ORIGIN),
                    h.get(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD),
                    h.get(HttpHeader.ACCESS_CONTROL_REQUEST_HEADERS),
                    self);
        extra.putAll(cors.headers());
        String clientKey = RateLimitPolicy.clientKey(peer);
        if (cors.kind() == CorsPolicy.CorsDecision.Kind.REJECTED) {
          p.metrics().record(SecurityMetrics.Event.CORS_REJECTED);
          p.audit()
              .recordOncePerWindow(
                  "http.cors_rejected",
                  clientKey,
                  AuditEvent.builder("http.cors_rejected")
                      .message("cross-origin request from an origin not on the allowlist")
                      .put("method", method)
                      .put("path", Request.getPathInContext(request)));
          throw new ApiException(403, "origin not allowed");
        }
        RateLimitDecision limit = p.rateLimit().tryAcquire(clientKey);
        extra.putAll(limit.headers());
        if (!limit.allowed()) {
          p.metrics().record(SecurityMetrics.Event.RATE_LIMIT_HIT);
          p.audit()
              .recordOncePerWindow(
                  "http.rate_limited",
                  clientKey,
                  AuditEvent.builder("http.rate_limited")
                      .message("request rate limit exceeded")
                      .put("client", peer.getHostAddress()));
          throw new ApiException(429, "too many requests");
        }
        if (cors.kind() == CorsPolicy.CorsDecision.Kind.PREFLIGHT_ALLOWED) {
          return ApiResponse.empty(204);
        }
        byte[] body = readBody(request);
        ApiRequest api =
            new ApiRequest(
                method,
                Request.getPathInContext(request),
                query(request),
                name -> h.get(name),
                cookies(request),
                body,
                peer,
                secure,
                requestId);
        return router.find(method, api.path()).handle(api);
      } catch (Exception e) {
        return error(e, requestId, request);
      }
    }

    private byte[] readBody(Request request) throws IOException, ApiException {
      long declared = request.getLength();
      String tooLarge = "body: must be at most " + p.maxBodyBytes() + " bytes";
      if (declared > p.maxBodyBytes()) {
        throw new ApiException(400, "invalid request", List.of(tooLarge), Map.of("Connection", "close"));
      }
      try (InputStream in = Content.Source.asInputStream(request)) {
        byte[] b = in.readNBytes(p.maxBodyBytes() + 1);
        if (b.length > p.maxBodyBytes()) {
          throw new ApiException(400, "invalid request", List.of(tooLarge), Map.of("Connection", "close"));
        }
        return b;
      }
    }

    private ApiResponse error(Exception e, String requestId, Request request) {
      int status;
      String message;
      List<String> details = List.of();
      Map<String, String> headers = Map.of();
      if (e instanceof ApiException a) {
        status = a.status();
        message = a.getMessage();
        details = a.details();
        headers = a.headers();
      } else if (e instanceof RequestValidationException v) {
        p.metrics().record(SecurityMetrics.Event.INVALID_REQUEST);
        status = 400;
        message = "invalid request";
        details = v.details();
      } else if (e instanceof PasswordPolicyException pp) {
        status = 400;
        message = "invalid request";
        details = pp.violations().stream().map(v -> "newPassword: " + v).toList();
      } else if (e instanceof InvalidCredentialsException) {
        status = 401;
        message = "invalid credentials";
      } else if (e instanceof InvalidTokenException) {
        p.metrics().record(SecurityMetrics.Event.UNAUTHENTICATED);
        InetAddress peer = peer(request);
        p.audit()
            .recordOncePerWindow(
                "http.unauthenticated",
                RateLimitPolicy.clientKey(peer),
                AuditEvent.builder("http.unauthenticated")
                    .message("request without a valid access token")
                    .put("client", peer.getHostAddress())
                    .put("path", Request.getPathInContext(request)));
        status = 401;
        message = InvalidTokenException.MESSAGE;
        headers = Map.of("WWW-Authenticate", "Bearer");
      } else if (e instanceof LoginThrottledException t) {
        status = 429;
        message = "too many requests";
        headers = Map.of("Retry-After", Long.toString(Math.max(1, t.retryAfter().toSeconds())));
      } else if (e instanceof ForbiddenException) {
        p.metrics().record(SecurityMetrics.Event.FORBIDDEN);
        status = 403;
        message = "forbidden";
      } else if (e instanceof AuthStorageException || e instanceof AuditException || e instanceof KillSwitchException) {
        LOG.error("service unavailable: {}", e.toString());
        status = 503;
        message = "service unavailable";
      } else if (e instanceof AuthException) {
        status = 409;
        message = e.getMessage();
      } else {
        LOG.error("unexpected failure", e);
        status = 500;
        message = "internal error";
      }
      ApiResponse r = ApiResponse.json(status, new ApiError(message, details, requestId).toJson());
      for (Map.Entry<String, String> h : headers.entrySet()) {
        r = r.withHeader(h.getKey(), h.getValue());
      }
      return r;
    }

    private void write(Response response, ApiResponse out, String requestId, Callback callback) {
      HttpFields.Mutable h = response.getHeaders();
      p.headers().headers().forEach(h::put);
      h.put(RequestIds.HEADER, requestId);
      for (Map.Entry<String, String> e : out.headers().entrySet()) {
        for (String v : e.getValue().split("\n")) {
          h.add(e.getKey(), v);
        }
      }
      if (!out.contentType().isEmpty()) {
        h.put(HttpHeader.CONTENT_TYPE, out.contentType());
      }
      response.setStatus(out.status());
      response.write(true, ByteBuffer.wrap(out.body()), callback);
    }

    private static InetAddress peer(Request request) {
      SocketAddress a = request.getConnectionMetaData().getRemoteSocketAddress();
      if (a instanceof InetSocketAddress i && i.getAddress() != null) {
        return i.getAddress();
      }
      return InetAddress.getLoopbackAddress();
    }

    private static Map<String, String> query(Request request) {
      Map<String, String> q = new HashMap<>();
      Fields f = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
      for (Fields.Field field : f) {
        q.putIfAbsent(field.getName(), field.getValue());
      }
      return q;
    }

    private static Map<String, String> cookies(Request request) {
      Map<String, String> c = new HashMap<>();
      for (HttpCookie cookie : Request.getCookies(request)) {
        c.putIfAbsent(cookie.getName(), cookie.getValue());
      }
      return c;
    }
  }

  /**
   * Jetty's own errors (a request line or headers too large, a malformed request) in the same JSON shape and with the
   * same security headers as every other response.
   */
  static final class JsonErrorHandler extends ErrorHandler {
    private final Policies p;

    JsonErrorHandler(Policies p) {
      this.p = p;
    }

    @Override
    protected void generateResponse(
        Request request, Response response, int code, String message, Throwable cause, Callback callback) {
      String id = p.ids().generate();
      HttpFields.Mutable h = response.getHeaders();
      p.headers().headers().forEach(h::put);
      h.put(RequestIds.HEADER, id);
      h.put(HttpHeader.CONTENT_TYPE, ApiResponse.JSON);
      response.write(true, ByteBuffer.wrap(ApiError.of(text(code), id).toJson().getBytes(StandardCharsets.UTF_8)), callback);
    }

    private static String text(int status) {
      return switch (status) {
        case 400 -> "bad request";
        case 408 -> "request timeout";
        case 413 -> "request too large";
        case 431 -> "request header fields too large";
        default -> status >= 500 ? "internal error" : "bad request";
      };
    }
  }
}
