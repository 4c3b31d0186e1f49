package dev.secureyeoman.web;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * Gives every request an id for logs, responses ({@code X-Request-ID}) and audit entries (as correlation id).
 *
 * <p>An incoming {@code X-Request-ID} is kept only if it is 20–200 characters of {@code [A-Za-z0-9+/=-]} (enough for a
 * UUID or a base64 id, nothing that could break a log line, a header or a JSON string); anything else is replaced by 24
 * random bytes in base64 (32 chars). A valid W3C {@code traceparent} ({@code 00-<32 hex>-<16 hex>-<2 hex>}, ids not all
 * zero) is parsed and kept beside it; an invalid one is ignored, as the Trace Context spec requires.
 *
 * <p>{@link #open} puts {@value #MDC_REQUEST_ID} (and {@value #MDC_TRACE_ID} when present) into the SLF4J MDC of the
 * current thread until the returned scope is closed.
 *
 * <p>Thread-safe.
 */
public final class RequestIds {

  /** The request header and response header carrying the id. */
  public static final String HEADER = "X-Request-ID";

  /** The W3C Trace Context header. */
  public static final String TRACEPARENT = "traceparent";

  /** MDC key of the request id. */
  public static final String MDC_REQUEST_ID = "request_id";

  /** MDC key of the trace id. */
  public static final String MDC_TRACE_ID = "trace_id";

  private static final Pattern VALID_ID = Pattern.compile("[A-Za-z0-9+/=-]{20,200}");
  private static final Pattern TRACEPARENT_V00 = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

  private static final ThreadLocal<RequestContext> CURRENT = new ThreadLocal<>();

  private final SecureRandom random;

  /**
   * Creates the generator.
   *
   * @param random source of generated ids
   */
  public RequestIds(SecureRandom random) {
    this.random = Objects.requireNonNull(random, "random");
  }

  /** Creates the generator with a new {@link SecureRandom}. */
  public RequestIds() {
    this(new SecureRandom());
  }

  /**
   * Whether a client-supplied id is acceptable.
   *
   * @param id the header value, may be null
   * @return true if 20–200 chars of {@code [A-Za-z0-9+/=-]}
   */
  public static boolean isValid(String id) {
    return id != null && VALID_ID.matcher(id).matches();
  }

  /**
   * Resolves the context of a request from its headers.
   *
   * @param requestIdHeader the {@code X-Request-ID} value, or null
   * @param traceparentHeader the {@code traceparent} value, or null
   * @return the context; {@link RequestContext#clientSupplied()} tells whether the id was kept
   */
  public RequestContext resolve(String requestIdHeader, String traceparentHeader) {
    Optional<TraceParent> trace = parseTraceparent(traceparentHeader);
    if (isValid(requestIdHeader)) {
      return new RequestContext(requestIdHeader, true, trace);
    }
    return new RequestContext(generate(), false, trace);
  }

  /**
   * Generates a new id: 24 random bytes, base64 (32 chars of the accepted alphabet).
   *
   * @return the id
   */
  public String generate() {
    byte[] b = new byte[24];
    random.nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  /**
   * Parses a W3C {@code traceparent} header (version 00; a future version is read by its first four fields).
   *
   * @param header the header value, or null
   * @return the parsed value, or empty if absent or invalid
   */
  public static Optional<TraceParent> parseTraceparent(String header) {
    if (header == null || header.length() > 512) {
      return Optional.empty();
    }
    String h = header.strip();
    if (h.length() < 55) {
      return Optional.empty();
    }
    String version = h.substring(0, 2);
    if (!version.matches("[0-9a-f]{2}") || "ff".equals(version)) {
      return Optional.empty();
    }
    if ("00".equals(version) ? h.length() != 55 : h.length() > 55 && h.charAt(55) != '-') {
      return Optional.empty(); // version 00 has exactly four fields; a later version may append "-..." fields
    }
    java.util.regex.Matcher m = TRACEPARENT_V00.matcher("00" + h.substring(2, 55));
    if (!m.matches()) {
      return Optional.empty();
    }
    String traceId = m.group(1);
    String parentId = m.group(2);
    if (traceId.chars().allMatch(c -> c == '0') || parentId.chars().allMatch(c -> c == '0')) {
      return Optional.empty();
    }
    return Optional.of(new TraceParent(version, traceId, parentId, Integer.parseInt(m.group(3), 16)));
  }

  /**
   * Puts the context into the SLF4J MDC of the current thread.
   *
   * @param context the request context
   * @return a scope whose {@code close()} removes the keys again
   */
  public static Scope open(RequestContext context) {
    Objects.requireNonNull(context, "context");
    RequestContext previous = CURRENT.get();
    CURRENT.set(context);
    MDC.put(MDC_REQUEST_ID, context.requestId());
    context.traceParent().ifPresent(t -> MDC.put(MDC_TRACE_ID, t.traceId()));
    return () -> {
      MDC.remove(MDC_REQUEST_ID);
      MDC.remove(MDC_TRACE_ID);
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
        MDC.put(MDC_REQUEST_ID, previous.requestId());
        previous.traceParent().ifPresent(t -> MDC.put(MDC_TRACE_ID, t.traceId()));
      }
    };
  }

  /**
   * The request id of the current thread's scope (kept in a thread-local, so it works whatever logging binding, or
   * none, the host uses; the MDC copy is for log lines).
   *
   * @return the id, or empty outside a scope
   */
  public static Optional<String> current() {
    RequestContext c = CURRENT.get();
    return c == null ? Optional.empty() : Optional.of(c.requestId());
  }

  /** An MDC scope; closing it does not throw. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * A parsed W3C {@code traceparent}.
   *
   * @param version the version field (two hex digits)
   * @param traceId 32 lower-case hex digits, not all zero
   * @param parentId 16 lower-case hex digits, not all zero
   * @param flags the trace flags
   */
  public record TraceParent(String version, String traceId, String parentId, int flags) {
    /** Validates the fields. */
    public TraceParent {
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(traceId, "traceId");
      Objects.requireNonNull(parentId, "parentId");
    }

    /**
     * Whether the caller sampled this trace.
     *
     * @return the sampled flag
     */
    public boolean sampled() {
      return (flags & 1) == 1;
    }
  }

  /**
   * The ids of one request.
   *
   * @param requestId the id to log, return and audit
   * @param clientSupplied whether the id came from the client's {@code X-Request-ID}
   * @param traceParent the valid incoming {@code traceparent}, if any
   */
  public record RequestContext(String requestId, boolean clientSupplied, Optional<TraceParent> traceParent) {
    /** Validates the fields. */
    public RequestContext {
      Objects.requireNonNull(requestId, "requestId");
      Objects.requireNonNull(traceParent, "traceParent");
    }
  }
}
