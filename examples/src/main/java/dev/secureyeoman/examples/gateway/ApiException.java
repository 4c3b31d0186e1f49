package dev.secureyeoman.examples.gateway;

import java.util.List;
import java.util.Map;

/** A route's refusal with its HTTP status, rendered as the JSON error body by the pipeline. */
public final class ApiException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The status. */
  private final int status;

  /** Detail lines. */
  private final transient List<String> details;

  /** Extra headers. */
  private final transient Map<String, String> headers;

  /**
   * Creates the exception.
   *
   * @param status the HTTP status
   * @param error the generic error text
   * @param details detail lines (may be empty)
   * @param headers extra headers such as {@code Retry-After}
   */
  public ApiException(int status, String error, List<String> details, Map<String, String> headers) {
    super(error, null, false, false);
    this.status = status;
    this.details = List.copyOf(details);
    this.headers = Map.copyOf(headers);
  }

  /**
   * Creates the exception without details.
   *
   * @param status the HTTP status
   * @param error the generic error text
   */
  public ApiException(int status, String error) {
    this(status, error, List.of(), Map.of());
  }

  /**
   * The status.
   *
   * @return the HTTP status
   */
  public int status() {
    return status;
  }

  /**
   * The detail lines.
   *
   * @return details
   */
  public List<String> details() {
    return details;
  }

  /**
   * Extra headers.
   *
   * @return headers
   */
  public Map<String, String> headers() {
    return headers;
  }
}
