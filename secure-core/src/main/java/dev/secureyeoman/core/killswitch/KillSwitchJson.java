package dev.secureyeoman.core.killswitch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The state file's JSON (Jackson databind), in a class of its own so that it is loaded only after {@link
 * KillSwitch.Builder#build()} checked that Jackson, an optional dependency of secure-core, is present.
 */
final class KillSwitchJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private KillSwitchJson() {}

  static KillSwitchState decode(byte[] bytes, Path file) throws KillSwitchException {
    try {
      JsonNode n = MAPPER.readTree(bytes);
      if (n == null
          || !n.isObject()
          || n.path("version").asInt(-1) != 1
          || !n.path("engaged").isBoolean()
          || !n.path("changed_at").isTextual()
          || !n.path("changed_by").isTextual()
          || !n.path("reason").isTextual()) {
        throw new KillSwitchException(KillSwitchException.Reason.CORRUPT, file + " is not a kill-switch file", null);
      }
      return new KillSwitchState(
          n.get("engaged").booleanValue(),
          Instant.parse(n.get("changed_at").textValue()),
          n.get("changed_by").textValue(),
          n.get("reason").textValue());
    } catch (IOException | DateTimeParseException e) {
      throw new KillSwitchException(KillSwitchException.Reason.CORRUPT, file + " is not a kill-switch file", e);
    }
  }

  static byte[] encode(KillSwitchState s) throws IOException {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("version", 1);
    n.put("engaged", s.engaged());
    n.put("changed_at", s.changedAt().toString());
    n.put("changed_by", s.changedBy());
    n.put("reason", s.reason());
    return (MAPPER.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
