package dev.secureyeoman.web;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.secureyeoman.core.TextNeutralizer;
import dev.secureyeoman.core.TextNeutralizer.Replacement;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * Binds a JSON request body to a record and validates it with Bean Validation — "input validation on every endpoint".
 *
 * <pre>{@code
 * record LoginRequest(@NotBlank @Size(max = 64) String username, @NotNull @Size(max = 1024) String password,
 *                     Boolean rememberMe) {}
 * LoginRequest r = bodies.read(bytes, LoginRequest.class);   // or RequestValidationException with every problem
 * }</pre>
 *
 * <p>Binding is strict: the body must be one JSON object no larger than {@code maxBytes}; unknown fields, duplicate
 * keys, trailing content, nesting deeper than 16 and type coercion (a number for a string, {@code "true"} for a boolean,
 * a float for an integer) are all refused. Problems are reported as {@code path: message} with the JSON field names
 * and never echo the submitted values. Validation uses Hibernate Validator with the {@link ParameterMessageInterpolator}
 * (no expression language).
 *
 * <p>Binding stops at the first shape problem; constraint violations are all reported together. The record's package
 * must be open to {@code com.fasterxml.jackson.databind} and {@code org.hibernate.validator} in a named module.
 *
 * <p>Thread-safe; build once.
 */
public final class RequestBodies implements AutoCloseable {
  private final int maxBytes;
  private final ObjectMapper mapper;
  private final ValidatorFactory factory;
  private final Validator validator;

  private RequestBodies(int maxBytes) {
    this.maxBytes = maxBytes;
    JsonMapper m =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    m.getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(16).maxStringLength(maxBytes).build());
    for (LogicalType t : new LogicalType[] {LogicalType.Textual, LogicalType.Boolean, LogicalType.Integer}) {
      m.coercionConfigFor(t)
          .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    }
    // the shape of the target itself is allowed again: a string stays a valid String, and so on
    m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.String, CoercionAction.TryConvert);
    m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.EmptyString, CoercionAction.TryConvert);
    m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Boolean, CoercionAction.TryConvert);
    m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert);
    this.mapper = m;
    this.factory =
        Validation.byProvider(HibernateValidator.class)
            .configure()
            .messageInterpolator(new ParameterMessageInterpolator(Set.of(Locale.ENGLISH), Locale.ENGLISH, false))
            .buildValidatorFactory();
    this.validator = factory.getValidator();
  }

  /**
   * Creates a reader.
   *
   * @param maxBytes largest accepted body, 2 to 10 MiB ({@code security.http.max_body_bytes})
   * @return the reader
   */
  public static RequestBodies create(int maxBytes) {
    if (maxBytes < 2 || maxBytes > 10 * 1024 * 1024) {
      throw new IllegalArgumentException("maxBytes must be in [2, 10485760], got " + maxBytes);
    }
    return new RequestBodies(maxBytes);
  }

  /**
   * The largest accepted body.
   *
   * @return bytes
   */
  public int maxBytes() {
    return maxBytes;
  }

  /**
   * The message for a body over the limit, for hosts that stop reading early.
   *
   * @return {@code body: must be at most N bytes}
   */
  public String tooLargeDetail() {
    return "body: must be at most " + maxBytes + " bytes";
  }

  /**
   * Binds and validates a body.
   *
   * @param body the raw body (UTF-8 JSON)
   * @param type the record type
   * @param <T> the type
   * @return the valid value
   * @throws RequestValidationException listing every problem
   */
  public <T> T read(byte[] body, Class<T> type) throws RequestValidationException {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(type, "type");
    if (body.length > maxBytes) {
      throw new RequestValidationException(List.of(tooLargeDetail()));
    }
    if (body.length == 0) {
      throw new RequestValidationException(List.of("body: must be a JSON object"));
    }
    T value;
    try (JsonParser p = mapper.createParser(body)) {
      if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        throw new RequestValidationException(List.of("body: must be a JSON object"));
      }
      value = mapper.readValue(p, type);
    } catch (UnrecognizedPropertyException e) {
      throw new RequestValidationException(List.of(path(e) + ": unknown field"));
    } catch (MismatchedInputException e) {
      throw new RequestValidationException(List.of(path(e) + ": must be " + describe(e.getTargetType())));
    } catch (JsonMappingException e) {
      throw new RequestValidationException(List.of(path(e) + ": invalid value"));
    } catch (JsonProcessingException e) {
      throw new RequestValidationException(List.of("body: malformed JSON"));
    } catch (IOException e) {
      throw new RequestValidationException(List.of("body: unreadable"));
    }
    if (value == null) {
      throw new RequestValidationException(List.of("body: must be a JSON object"));
    }
    Set<ConstraintViolation<T>> violations = validator.validate(value);
    if (!violations.isEmpty()) {
      List<String> details =
          violations.stream()
              .map(v -> v.getPropertyPath() + ": " + v.getMessage())
              .sorted()
              .collect(Collectors.toCollection(ArrayList::new));
      throw new RequestValidationException(details);
    }
    return value;
  }

  private static String path(JsonMappingException e) {
    String p =
        e.getPath().stream()
            .map(r -> r.getFieldName() != null ? clip(r.getFieldName()) : "[" + r.getIndex() + "]")
            .collect(Collectors.joining("."))
            .replace(".[", "[");
    return p.isEmpty() ? "body" : PATH_CLIP.neutralize(p);
  }

  /** Longest field name a problem echoes; the client sent it, so it is cut and stripped of control characters. */
  private static final int MAX_NAME_CHARS = 64;

  private static final int MAX_PATH_CHARS = 128;

  /** Client-sent names and paths echoed in a problem: control, format and separator characters become {@code ?}. */
  private static final TextNeutralizer NAME_CLIP = clipper(MAX_NAME_CHARS);

  private static final TextNeutralizer PATH_CLIP = clipper(MAX_PATH_CHARS);

  private static TextNeutralizer clipper(int max) {
    return TextNeutralizer.builder().replacement(Replacement.QUESTION_MARK).maxChars(max).build();
  }

  private static String clip(String name) {
    return NAME_CLIP.neutralize(name);
  }

  private static String describe(Class<?> t) {
    if (t == null) {
      return "of another type";
    }
    if (t == String.class) {
      return "a string";
    }
    if (t == Boolean.class || t == boolean.class) {
      return "a boolean";
    }
    if (t == Integer.class || t == int.class || t == Long.class || t == long.class) {
      return "an integer";
    }
    if (t.isRecord() || t == Object.class) {
      return "a JSON object";
    }
    if (java.util.Collection.class.isAssignableFrom(t) || t.isArray()) {
      return "an array";
    }
    return "of another type";
  }

  /** Releases the validator factory. */
  @Override
  public void close() {
    factory.close();
  }
}
