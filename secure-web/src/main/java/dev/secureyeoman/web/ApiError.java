package dev.secureyeoman.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/**
 * The JSON error body of every non-2xx answer: {@code {"error":"…","details":["…"],"requestId":"…"}}.
 *
 * <p>{@code error} is a short, generic text chosen by the host (the same for an unknown user and a wrong password);
 * {@code details} lists validation problems as {@code path: message}; {@code requestId} lets a user quote the request
 * to an operator who finds it in the logs and the audit log.
 *
 * @param error short description without secrets
 * @param details problems, possibly empty
 * @param requestId the request id
 */
public record ApiError(String error, List<String> details, String requestId) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Validates and copies. */
  public ApiError {
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(requestId, "requestId");
    details = List.copyOf(details);
  }

  /**
   * An error without details.
   *
   * @param error short description
   * @param requestId the request id
   * @return the error
   */
  public static ApiError of(String error, String requestId) {
    return new ApiError(error, List.of(), requestId);
  }

  /**
   * Renders the JSON body (fields in the order {@code error, details, requestId}).
   *
   * @return compact JSON
   */
  public String toJson() {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("error", error);
    ArrayNode d = n.putArray("details");
    details.forEach(d::add);
    n.put("requestId", requestId);
    try {
      return MAPPER.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
