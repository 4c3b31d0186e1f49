package dev.secureyeoman.integrations.adapters.internal;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secureyeoman.integrations.WebhookResponse;
import java.io.IOException;
import java.util.HexFormat;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** JSON and response helpers shared by the adapters. */
public final class Webhooks {
  /** A mapper with tight read limits (nesting 64, strings 1 MiB). */
  public static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(1 << 20).build())
              .build());

  private Webhooks() {}

  /**
   * Parses a JSON object.
   *
   * @param body the bytes
   * @return the object, or empty if the body is not a JSON object
   */
  public static Optional<JsonNode> parseObject(byte[] body) {
    try {
      JsonNode n = JSON.readTree(body);
      return n != null && n.isObject() ? Optional.of(n) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * A new empty JSON object.
   *
   * @return the node
   */
  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /**
   * Returns a text field, if present and textual.
   *
   * @param node the object
   * @param field the field
   * @return the text or null
   */
  public static @Nullable String text(@Nullable JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isTextual() ? v.textValue() : null;
  }

  /**
   * Returns an integral field, if present.
   *
   * @param node the object
   * @param field the field
   * @return the value or null
   */
  public static @Nullable Long integer(@Nullable JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.canConvertToLong() && v.isIntegralNumber() ? v.longValue() : null;
  }

  /**
   * The JSON error answer used for refused requests; the reason is a fixed word, never request data.
   *
   * @param status the status
   * @param error the fixed error word
   * @return the response
   */
  public static WebhookResponse error(int status, String error) {
    return WebhookResponse.json(status, "{\"error\":\"" + error + "\"}");
  }

  /**
   * Decodes lower- or upper-case hex.
   *
   * @param hex the text
   * @return the bytes, or null if not hex of even length
   */
  public static byte @Nullable [] hex(@Nullable String hex) {
    if (hex == null || (hex.length() & 1) != 0) {
      return null;
    }
    try {
      return HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
