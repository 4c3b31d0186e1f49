package dev.secureyeoman.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * Binds {@link Duration} from ISO-8601 text only ({@code PT15M}, {@code P30D}). Jackson's default also reads a bare
 * number (or a string of digits) as seconds, so {@code access_token_ttl: 900000} silently became 250 hours; here it is a
 * binding error naming the expected format.
 */
final class IsoDurationDeserializer extends StdScalarDeserializer<Duration> {
  private static final long serialVersionUID = 1L;

  IsoDurationDeserializer() {
    super(Duration.class);
  }

  @Override
  public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_STRING) {
      String text = p.getText().strip();
      if (text.startsWith("P") || text.startsWith("-P")) {
        try {
          return Duration.parse(text);
        } catch (DateTimeParseException e) {
          // reported below without the value
        }
      }
      return (Duration) ctx.handleWeirdStringValue(Duration.class, text, "not an ISO-8601 duration");
    }
    return (Duration) ctx.handleUnexpectedToken(Duration.class, p);
  }
}
