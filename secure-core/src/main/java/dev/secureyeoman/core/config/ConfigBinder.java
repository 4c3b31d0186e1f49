package dev.secureyeoman.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.jspecify.annotations.Nullable;

/**
 * The parsing half of {@link EncryptedConfigLoader}: bounded SnakeYAML composition ({@link YamlTreeReader}), Jackson
 * binding to records (snake_case keys, unknown keys rejected) and Hibernate Validator. It is the only class of the
 * loader that references those libraries, which are optional dependencies of secure-core: the loader creates it only
 * after checking they are present, so a host without them gets a {@link ConfigException} naming them instead of a
 * {@link NoClassDefFoundError}.
 */
final class ConfigBinder {
  private final YamlLimits yamlLimits;
  private final ObjectMapper mapper;
  private final ValidatorFactory validatorFactory;
  private final Validator validator;

  ConfigBinder(YamlLimits yamlLimits) {
    this.yamlLimits = yamlLimits;
    this.mapper =
        JsonMapper.builder()
            // a type cache of our own, not Jackson's JVM-wide one: binding a class of a plugin's class loader must not
            // keep that loader reachable after this loader is dropped (IntegrationManager loads per generation)
            .typeFactory(TypeFactory.createDefaultInstance())
            .addModule(new JavaTimeModule())
            // after JavaTimeModule, so it wins: ISO-8601 only, a bare number is not "seconds"
            .addModule(new SimpleModule("iso-durations").addDeserializer(Duration.class, new IsoDurationDeserializer()))
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();
    this.validatorFactory =
        Validation.byProvider(HibernateValidator.class)
            .configure()
            .messageInterpolator(
                new ParameterMessageInterpolator(Set.of(Locale.ENGLISH), Locale.ENGLISH, false))
            .buildValidatorFactory();
    this.validator = validatorFactory.getValidator();
  }

  /** The {@code security:} section of {@code yaml}, with defaults. */
  SecurityConfig security(String yaml, String source) throws ConfigException {
    return bindSecurity(new YamlTreeReader(yamlLimits).read(yaml, source), source);
  }

  /** The whole document bound to {@code type}. */
  <T> T whole(String yaml, String source, Class<T> type) throws ConfigException {
    return bind(new YamlTreeReader(yamlLimits).read(yaml, source), "", type, source);
  }

  /** One dotted section of the document bound to {@code type}; a missing section binds from an empty mapping. */
  <T> T section(String yaml, String source, String section, Class<T> type) throws ConfigException {
    JsonNode node = new YamlTreeReader(yamlLimits).read(yaml, source);
    for (String part : section.split("\\.", -1)) {
      node = node == null ? null : node.get(part);
    }
    if (node == null || node.isNull()) {
      node = mapper.createObjectNode();
    }
    return bind(node, section, type, source);
  }

  private SecurityConfig bindSecurity(JsonNode root, String source) throws ConfigException {
    if (!root.isObject()) {
      throw new ConfigException(source, List.of(new ConfigViolation("(root)", "must be a mapping")));
    }
    JsonNode section = root.get(EncryptedConfigLoader.SECURITY_SECTION);
    if (section == null || section.isNull()) {
      section = mapper.createObjectNode();
    }
    if (!section.isObject()) {
      throw new ConfigException(
          source, List.of(new ConfigViolation(EncryptedConfigLoader.SECURITY_SECTION, "must be a mapping")));
    }
    // unknown keys are reported together with every other violation: prune them, bind the rest, then report all
    List<ConfigViolation> unknown = new ArrayList<>();
    unknownKeys(section, SecurityConfig.class, EncryptedConfigLoader.SECURITY_SECTION, unknown);
    JsonNode known = unknown.isEmpty() ? section : pruneUnknown(section.deepCopy(), SecurityConfig.class);
    JsonNode defaults = mapper.valueToTree(SecurityConfig.defaults());
    JsonNode merged = merge(defaults.deepCopy(), known);
    return bind(merged, EncryptedConfigLoader.SECURITY_SECTION, SecurityConfig.class, source, unknown);
  }

  private <T> T bind(JsonNode node, String prefix, Class<T> type, String source) throws ConfigException {
    if (type == null) {
      throw new IllegalArgumentException("type must not be null");
    }
    List<ConfigViolation> unknown = new ArrayList<>();
    unknownKeys(node, type, prefix, unknown);
    JsonNode known = unknown.isEmpty() ? node : pruneUnknown(node.deepCopy(), type);
    return bind(known, prefix, type, source, unknown);
  }

  /**
   * Binds and validates {@code node} (which holds no unknown keys any more) and throws one {@link ConfigException} with
   * {@code earlier} plus every binding or constraint violation found.
   */
  private <T> T bind(JsonNode node, String prefix, Class<T> type, String source, List<ConfigViolation> earlier)
      throws ConfigException {
    Set<ConfigViolation> problems = new TreeSet<>(earlier);
    T value = null;
    try {
      value = mapper.treeToValue(node, type);
      if (value == null) {
        problems.add(new ConfigViolation(display(prefix), "must not be null"));
      }
    } catch (JsonMappingException e) {
      problems.add(bindingViolation(e, prefix));
    } catch (JsonProcessingException | RuntimeException e) {
      problems.add(new ConfigViolation(display(prefix), "cannot be bound"));
    }
    if (value != null) {
      for (ConstraintViolation<T> v : validator.validate(value)) {
        problems.add(new ConfigViolation(yamlPath(prefix, v.getPropertyPath()), v.getMessage()));
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(source, new ArrayList<>(problems));
    }
    return Objects.requireNonNull(value, "bound value"); // null was reported as a problem above
  }

  /** Removes, in place, the keys that {@link #unknownKeys} reports; returns {@code node}. */
  private static JsonNode pruneUnknown(JsonNode node, Type type) {
    Class<?> raw = rawClass(type);
    if (raw == null) {
      return node;
    }
    if (raw.isRecord() && node instanceof ObjectNode obj) {
      Map<String, RecordComponent> components = new java.util.HashMap<>();
      for (RecordComponent c : raw.getRecordComponents()) {
        components.put(EncryptedConfigLoader.snake(c.getName()), c);
      }
      List<String> names = new ArrayList<>();
      obj.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        RecordComponent c = components.get(name);
        if (c == null) {
          obj.remove(name);
        } else {
          pruneUnknown(obj.get(name), c.getGenericType());
        }
      }
    } else if (Collection.class.isAssignableFrom(raw) && node.isArray() && type instanceof ParameterizedType p) {
      for (JsonNode element : node) {
        pruneUnknown(element, p.getActualTypeArguments()[0]);
      }
    }
    return node;
  }

  /** Lists keys of {@code node} that no record component of {@code type} (recursively) accepts. */
  private static void unknownKeys(JsonNode node, Type type, String path, List<ConfigViolation> out) {
    Class<?> raw = rawClass(type);
    if (raw == null) {
      return;
    }
    if (raw.isRecord() && node.isObject()) {
      Map<String, RecordComponent> components = new java.util.HashMap<>();
      for (RecordComponent c : raw.getRecordComponents()) {
        components.put(EncryptedConfigLoader.snake(c.getName()), c);
      }
      for (Map.Entry<String, JsonNode> f : node.properties()) {
        String childPath = join(path, f.getKey());
        RecordComponent c = components.get(f.getKey());
        if (c == null) {
          out.add(new ConfigViolation(join(path, unknownKeyName(f.getKey())), "unknown key"));
        } else {
          unknownKeys(f.getValue(), c.getGenericType(), childPath, out);
        }
      }
    } else if (Collection.class.isAssignableFrom(raw) && node.isArray() && type instanceof ParameterizedType p) {
      for (int i = 0; i < node.size(); i++) {
        unknownKeys(node.get(i), p.getActualTypeArguments()[0], path + "[" + i + "]", out);
      }
    }
  }

  private static @Nullable Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
      return c;
    }
    return null;
  }

  /** Overlays {@code override} on {@code base}: mappings merge recursively, everything else replaces. */
  private static JsonNode merge(JsonNode base, JsonNode override) {
    if (!(base instanceof ObjectNode target) || !override.isObject()) {
      return override;
    }
    for (Map.Entry<String, JsonNode> f : override.properties()) {
      JsonNode existing = target.get(f.getKey());
      target.set(f.getKey(), existing == null ? f.getValue() : merge(existing, f.getValue()));
    }
    return target;
  }

  private static ConfigViolation bindingViolation(JsonMappingException e, String prefix) {
    StringBuilder path = new StringBuilder(prefix);
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    String where = display(path.toString());
    if (e instanceof UnrecognizedPropertyException u) {
      String parent = where.endsWith(u.getPropertyName())
          ? where.substring(0, where.length() - u.getPropertyName().length())
          : where + ".";
      return new ConfigViolation(parent + unknownKeyName(u.getPropertyName()), "unknown key");
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      String msg = String.valueOf(e.getOriginalMessage());
      if (msg.contains("null") && !(e instanceof InvalidFormatException)) {
        return new ConfigViolation(where, "must not be null");
      }
      return new ConfigViolation(where, "expected " + describe(m.getTargetType()));
    }
    return new ConfigViolation(where, "cannot be bound");
  }

  private static String describe(Class<?> type) {
    if (type == int.class || type == long.class || type == Integer.class || type == Long.class
        || type == short.class || type == Short.class) {
      return "an integer";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == double.class || type == float.class || type == Double.class || type == Float.class) {
      return "a number";
    }
    if (type == Duration.class || TemporalAmount.class.isAssignableFrom(type)) {
      return "an ISO-8601 duration such as PT15M or P30D";
    }
    if (type.isEnum()) {
      List<String> names = new ArrayList<>();
      for (Object c : type.getEnumConstants()) {
        names.add(((Enum<?>) c).name().toLowerCase(Locale.ROOT));
      }
      return "one of " + names;
    }
    if (type == String.class) {
      return "a string";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    return "a mapping";
  }

  private static String yamlPath(String prefix, Path propertyPath) {
    StringBuilder out = new StringBuilder(prefix);
    for (Path.Node node : propertyPath) {
      if (node.getKind() == ElementKind.CONTAINER_ELEMENT) {
        if (node.getIndex() != null) {
          out.append('[').append(node.getIndex()).append(']');
        } else if (node.getKey() != null) {
          out.append('.').append(node.getKey());
        }
        continue;
      }
      if (node.getName() == null) {
        continue;
      }
      if (node.isInIterable() && node.getIndex() != null) {
        out.append('[').append(node.getIndex()).append(']');
      }
      if (out.length() > 0) {
        out.append('.');
      }
      out.append(EncryptedConfigLoader.snake(node.getName()));
    }
    return display(out.toString());
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /**
   * An unknown key as a message may show it. Keys of the SDK are snake_case; anything else is not echoed, because a
   * value can end up as a key by a typo ({@code {token:s3cr3t}} in flow style is one key, {@code "token:s3cr3t"}).
   */
  static String unknownKeyName(String key) {
    return PRINTABLE_KEY.matcher(key).matches()
        ? key
        : "(a key that is not snake_case, " + key.length() + " characters)";
  }

  private static final java.util.regex.Pattern PRINTABLE_KEY = java.util.regex.Pattern.compile("[a-z][a-z0-9_]{0,63}");

  private static String display(String path) {
    return path.isEmpty() ? "(root)" : path;
  }

}
