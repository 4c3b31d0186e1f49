package dev.secureyeoman.examples.gateway;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.auth.AuthStorageException;
import dev.secureyeoman.auth.ForbiddenException;
import dev.secureyeoman.auth.InvalidCredentialsException;
import dev.secureyeoman.auth.InvalidTokenException;
import dev.secureyeoman.auth.LoginThrottledException;
import dev.secureyeoman.auth.PasswordPolicyException;
import dev.secureyeoman.auth.SharedBucketsUnavailableException;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.core.killswitch.KillSwitchException;
import dev.secureyeoman.web.ApiError;
import dev.secureyeoman.web.CorsPolicy;
import dev.secureyeoman.web.HostAllowlist;
import dev.secureyeoman.web.RateLimitDecision;
import dev.secureyeoman.web.RateLimitPolicy;
import dev.secureyeoman.web.RateLimiter;
import dev.secureyeoman.web.RequestIds;
import dev.secureyeoman.web.RequestValidationException;
import dev.secureyeoman.web.SecurityHeaders;
import dev.secureyeoman.web.SecurityMetrics;
import dev.secureyeoman.web.SharedLimitUnavailableException;
import dev.secureyeoman.web.TrustedProxies;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
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
import org.eclipse.jetty.util.thread.Scheduler;
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
 *   <li>the {@code Host} header: loopback names and {@code allowed_hosts} only, else 421 (DNS rebinding);
 *   <li>CORS: preflights from allowed origins answered 204, foreign origins 403;
 *   <li>the rate limit per client address (429 with {@code Retry-After}), per node or shared by every node through
 *       Redis ({@code security.cache.redis_url}); with {@code rate_limit_on_failure: deny} a Redis outage answers 503
 *       (login answers 503 during an outage in either mode: its throttle is shared too and fails closed);
 *   <li>the body, bounded by {@code max_body_bytes} (400 beyond it, read no further) and read without holding a
 *       thread, within {@code body_timeout} as a whole (408 beyond it, however the client paces its bytes);
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
      RateLimiter rateLimit,
      int maxBodyBytes,
      int maxHeaderBytes,
      Duration idleTimeout,
      Duration bodyTimeout,
      TrustedProxies proxies,
      HostAllowlist hosts,
      SecurityMetrics metrics,
      GatewayAudit audit) {
    /** Validates. */
    public Policies {
      Objects.requireNonNull(headers, "headers");
      Objects.requireNonNull(ids, "ids");
      Objects.requireNonNull(cors, "cors");
      Objects.requireNonNull(rateLimit, "rateLimit");
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      Objects.requireNonNull(bodyTimeout, "bodyTimeout");
      Objects.requireNonNull(proxies, "proxies");
      Objects.requireNonNull(hosts, "hosts");
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
      String requestId = ctx.requestId();
      Map<String, String> extra = new java.util.LinkedHashMap<>();
      RequestIds.Scope scope = RequestIds.open(ctx);
      try {
        ApiResponse early;
        try {
          early = admit(request, extra);
        } catch (Exception e) {
          early = error(e, requestId, request);
        }
        if (early != null) {
          write(response, withExtra(early, extra), requestId, callback);
          return true;
        }
      } finally {
        scope.close();
      }
      // The body is read without holding a thread: the reader registers for data (demand) and returns, so clients
      // that stall or drip-feed their bodies cost a connection each, never a pool thread, and the route runs on a pool
      // thread only once the whole body is here. The read as a whole is bounded by body_timeout (408).
      BodyReader reader = new BodyReader(request, p.maxBodyBytes());
      Scheduler.Task timeout =
          request
              .getComponents()
              .getScheduler()
              .schedule(reader::timeout, p.bodyTimeout().toMillis(), TimeUnit.MILLISECONDS);
      reader.result.whenCompleteAsync(
          (body, failure) -> {
            timeout.cancel();
            RequestIds.Scope s = RequestIds.open(ctx);
            try {
              ApiResponse out;
              try {
                out = failure != null ? error(bodyFailure(failure), requestId, request) : dispatch(request, body, requestId);
              } catch (Exception e) {
                out = error(e, requestId, request);
              }
              write(response, withExtra(out, extra), requestId, callback);
            } catch (RuntimeException | Error e) {
              callback.failed(e);
            } finally {
              s.close();
            }
          },
          request.getComponents().getExecutor());
      reader.run();
      return true;
    }

    private static ApiResponse withExtra(ApiResponse out, Map<String, String> extra) {
      ApiResponse r = out;
      for (Map.Entry<String, String> e : extra.entrySet()) {
        r = r.withHeader(e.getKey(), e.getValue());
      }
      return r;
    }

    /**
     * The checks that need no body: CORS, the rate limit and a declared body size. Returns the response to send
     * instead of routing (a preflight), or null to go on.
     */
    private ApiResponse admit(Request request, Map<String, String> extra) throws ApiException {
      String method = request.getMethod();
      InetAddress peer = client(request);
      boolean secure = secure(request);
      HttpFields h = request.getHeaders();
      String host = h.get(HttpHeader.HOST);
      if (!p.hosts().allows(host)) {
        // DNS rebinding: a foreign name pointed at this loopback server; nothing of the request is processed
        throw new ApiException(421, "misdirected request", List.of(), Map.of("Connection", "close"));
      }
      String self = host == null ? null : (secure ? "https://" : "http://") + host;
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
      RateLimitDecision limit;
      try {
        limit = p.rateLimit().tryAcquire(clientKey);
      } catch (SharedLimitUnavailableException e) {
        // rate_limit_on_failure: deny; RedisBuckets logged the outage once (redacted address)
        throw new ApiException(503, "service unavailable", List.of(), Map.of("Retry-After", "1"));
      }
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
      if (request.getLength() > p.maxBodyBytes()) {
        throw tooLarge();
      }
      return null;
    }

    private ApiException tooLarge() {
      return new ApiException(
          400,
          "invalid request",
          List.of("body: must be at most " + p.maxBodyBytes() + " bytes"),
          Map.of("Connection", "close"));
    }

    private Exception bodyFailure(Throwable failure) {
      Throwable f = failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : failure;
      if (f instanceof BodyTooLarge) {
        return tooLarge();
      }
      if (f instanceof BodyTimeout || f instanceof java.util.concurrent.TimeoutException) {
        return new ApiException(408, "request timeout", List.of(), Map.of("Connection", "close"));
      }
      return new ApiException(400, "invalid request", List.of("body: could not be read"), Map.of("Connection", "close"));
    }

    private ApiResponse dispatch(Request request, byte[] body, String requestId) throws Exception {
      HttpFields h = request.getHeaders();
      ApiRequest api =
          new ApiRequest(
              request.getMethod(),
              Request.getPathInContext(request),
              query(request),
              name -> h.get(name),
              cookies(request),
              body,
              client(request),
              secure(request),
              requestId);
      return router.find(api.method(), api.path()).handle(api);
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
        InetAddress peer = client(request);
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
        if (!(e.getCause() instanceof SharedBucketsUnavailableException)) {
          // a shared login throttle outage is logged once by RedisBuckets and LoginThrottle, not once per login
          LOG.error("service unavailable: {}", e.toString());
        }
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

    /** The client: the socket peer, or what a trusted proxy forwarded ({@code security.http.trusted_proxies}). */
    private InetAddress client(Request request) {
      return p.proxies().clientAddress(peer(request), request.getHeaders().getValuesList("X-Forwarded-For"));
    }

    /** Whether the client used TLS: to this server, or to a trusted proxy that says so. */
    private boolean secure(Request request) {
      return request.isSecure() || p.proxies().forwardedHttps(peer(request), request.getHeaders().get("X-Forwarded-Proto"));
    }

    private static InetAddress peer(Request request) {
      SocketAddress a = request.getConnectionMetaData().getRemoteSocketAddress();
      if (a instanceof InetSocketAddress i && i.getAddress() != null) {
        return i.getAddress();
      }
      return InetAddress.getLoopbackAddress();
    }

    private static Map<String, String> query(Request request) throws ApiException {
      Map<String, String> q = new HashMap<>();
      Fields f;
      try {
        f = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
      } catch (RuntimeException e) {
        // bad percent-encoding or bytes that are not UTF-8: the client's mistake, not a server error
        throw new ApiException(400, "invalid request", List.of("query: malformed percent-encoding or UTF-8"), Map.of());
      }
      for (Fields.Field field : f) {
        q.putIfAbsent(field.getName(), field.getValue());
      }
      return q;
    }

    private static Map<String, String> cookies(Request request) throws ApiException {
      Map<String, String> c = new HashMap<>();
      List<HttpCookie> parsed;
      try {
        parsed = Request.getCookies(request);
      } catch (RuntimeException e) {
        throw new ApiException(400, "invalid request", List.of("Cookie: malformed"), Map.of());
      }
      for (HttpCookie cookie : parsed) {
        c.putIfAbsent(cookie.getName(), cookie.getValue());
      }
      return c;
    }
  }

  /** The body was larger than allowed. */
  static final class BodyTooLarge extends Exception {
    private static final long serialVersionUID = 1L;

    BodyTooLarge() {
      super("body too large", null, false, false);
    }
  }

  /** The body did not arrive within {@code body_timeout}. */
  static final class BodyTimeout extends Exception {
    private static final long serialVersionUID = 1L;

    BodyTimeout() {
      super("body timeout", null, false, false);
    }
  }

  /**
   * Reads a request body by demand (Jetty calls {@link #run()} when data arrives) into at most {@code max} bytes;
   * never blocks a thread waiting for the client.
   */
  static final class BodyReader implements Runnable {
    final java.util.concurrent.CompletableFuture<byte[]> result = new java.util.concurrent.CompletableFuture<>();
    private final Request request;
    private final int max;
    private final java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();

    BodyReader(Request request, int max) {
      this.request = request;
      this.max = max;
    }

    void timeout() {
      result.completeExceptionally(new BodyTimeout());
    }

    @Override
    public void run() {
      try {
        while (!result.isDone()) {
          Content.Chunk chunk = request.read();
          if (chunk == null) {
            request.demand(this);
            return;
          }
          if (Content.Chunk.isFailure(chunk)) {
            result.completeExceptionally(chunk.getFailure());
            return;
          }
          try {
            ByteBuffer b = chunk.getByteBuffer();
            if (buffer.size() + b.remaining() > max) {
              result.completeExceptionally(new BodyTooLarge());
              return;
            }
            byte[] part = new byte[b.remaining()];
            b.get(part);
            buffer.write(part, 0, part.length);
          } finally {
            chunk.release();
          }
          if (chunk.isLast()) {
            result.complete(buffer.toByteArray());
            return;
          }
        }
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
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
