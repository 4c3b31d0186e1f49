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
import dev.secureyeoman.core.crypto.EnvelopeArmor;
import dev.secureyeoman.core.crypto.EnvelopeCipher;
import dev.secureyeoman.core.crypto.EnvelopeException;
import dev.secureyeoman.core.crypto.KeySource;
import dev.secureyeoman.core.crypto.KeySourceException;
import dev.secureyeoman.core.crypto.RecipientKey;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * Loads configuration from plain ({@code *.yaml}) or encrypted ({@code *.enc.yaml}, {@code *.encrypted.yaml}) files:
 * read (bounded) → decrypt with the configured {@link KeySource} → SnakeYAML safe composition with
 * {@linkplain YamlLimits limits} → Jackson binding to records (snake_case keys, unknown keys rejected) → Hibernate
 * Validator (parameter interpolation only, no EL) → an immutable value.
 *
 * <pre>{@code
 * EncryptedConfigLoader loader = EncryptedConfigLoader.builder()
 *     .keySource(KeySource.rawKeyFromEnv("SECUREYEOMAN_CONFIG_KEY"))
 *     .build();
 * SecurityConfig security = loader.load(Path.of("app.enc.yaml"));          // the security: section, with defaults
 * MyAppConfig app = loader.load(Path.of("app.enc.yaml"), "app", MyAppConfig.class); // the host's own section
 * }</pre>
 *
 * <p><b>Security guarantees.</b> A file named as encrypted must be a valid envelope: plaintext is never accepted in its
 * place, and without a key the load fails naming the key source. With {@link Builder#requireEncryption(boolean)} every
 * file must be an envelope, whatever its name. Envelopes are authenticated with associated data
 * {@value #ASSOCIATED_DATA}. Aliases, depth, size and node count are bounded while parsing; no YAML tag can instantiate
 * a class; explicit tags are refused. Durations are ISO-8601 only. Error messages carry paths, positions and the kind of
 * problem, never values or document text. Validation reports <em>every</em> violation.
 *
 * <p><b>Non-goals.</b> Decrypted YAML text lives briefly as a {@link String} that cannot be wiped. Binding (type)
 * errors stop at the first one found; unknown keys and constraint violations are all listed together.
 *
 * <p>Thread-safe; build once and reuse.
 */
public final class EncryptedConfigLoader {

  /** Associated data of encrypted configuration envelopes. */
  public static final String ASSOCIATED_DATA = "secureyeoman:config:v1";

  /** Source name used in messages for {@link #parseSecurityConfig(String)}. */
  public static final String INLINE_SOURCE = "(inline YAML)";

  /** Name of the section bound by {@link #load(java.nio.file.Path)}. */
  public static final String SECURITY_SECTION = "security";

  private static final byte[] AAD = ASSOCIATED_DATA.getBytes(StandardCharsets.US_ASCII);

  private final KeySource keySource;
  private final boolean requireEncryption;
  private final EnvelopeCipher cipher;
  private final YamlLimits yamlLimits;
  private final ObjectMapper mapper;
  private final ValidatorFactory validatorFactory;
  private final Validator validator;

  private EncryptedConfigLoader(Builder b) {
    this.keySource = b.keySource;
    this.requireEncryption = b.requireEncryption != null && b.requireEncryption;
    this.cipher = b.cipher != null ? b.cipher : EnvelopeCipher.create();
    this.yamlLimits = b.yamlLimits != null ? b.yamlLimits : YamlLimits.DEFAULT;
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

  /**
   * Starts a builder.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Whether a file name marks an encrypted configuration: {@code *.enc.yaml}, {@code *.enc.yml},
   * {@code *.encrypted.yaml} or {@code *.encrypted.yml} (case-insensitive).
   *
   * @param file the file
   * @return true if the file must hold an envelope
   */
  public static boolean isEncryptedName(java.nio.file.Path file) {
    String n = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".enc.yaml") || n.endsWith(".enc.yml") || n.endsWith(".encrypted.yaml")
        || n.endsWith(".encrypted.yml");
  }

  /**
   * Loads the {@code security:} section (defaults for every missing key; a missing section gives
   * {@link SecurityConfig#defaults()}).
   *
   * @param file plain or encrypted YAML
   * @return the validated configuration
   * @throws ConfigException if the file cannot be read, decrypted, parsed or validated
   */
  public SecurityConfig load(java.nio.file.Path file) throws ConfigException {
    return bindSecurity(readTree(file), file.toString());
  }

  /**
   * Binds the whole document to a host type (a record or POJO; unknown keys rejected) and validates it.
   *
   * @param file plain or encrypted YAML
   * @param type the target type; its package must be open to {@code com.fasterxml.jackson.databind} and
   *     {@code org.hibernate.validator} when it lives in a named module
   * @param <T> the type
   * @return the validated value
   * @throws ConfigException if the file cannot be read, decrypted, parsed, bound or validated
   */
  public <T> T load(java.nio.file.Path file, Class<T> type) throws ConfigException {
    return bind(readTree(file), "", type, file.toString());
  }

  /**
   * Binds one section (a dotted path such as {@code app} or {@code app.db}) to a host type and validates it.
   *
   * @param file plain or encrypted YAML
   * @param section dotted path of the section; missing sections bind from an empty mapping
   * @param type the target type
   * @param <T> the type
   * @return the validated value
   * @throws ConfigException if the file cannot be read, decrypted, parsed, bound or validated
   */
  public <T> T load(java.nio.file.Path file, String section, Class<T> type) throws ConfigException {
    if (section == null || section.isBlank()) {
      throw new IllegalArgumentException("section must not be blank");
    }
    JsonNode node = readTree(file);
    for (String part : section.split("\\.", -1)) {
      node = node == null ? null : node.get(part);
    }
    if (node == null || node.isNull()) {
      node = mapper.createObjectNode();
    }
    return bind(node, section, type, file.toString());
  }

  /**
   * Loads the {@code security:} section from YAML text (for embedded defaults and tests); messages name the source
   * {@code (inline YAML)}.
   *
   * @param yaml the document
   * @return the validated configuration
   * @throws ConfigException if the text cannot be parsed or validated
   */
  public SecurityConfig parseSecurityConfig(String yaml) throws ConfigException {
    return parseSecurityConfig(yaml, java.nio.file.Path.of(INLINE_SOURCE));
  }

  /**
   * Loads the {@code security:} section from YAML text whose origin is {@code source} (used in messages only; the file
   * is not read). The name is a {@link java.nio.file.Path}, not a {@code String}, so text and name cannot be swapped by
   * mistake — a swap would print the whole configuration in every message.
   *
   * @param yaml the document
   * @param source where the text came from, for messages
   * @return the validated configuration
   * @throws ConfigException if the text cannot be parsed or validated
   */
  public SecurityConfig parseSecurityConfig(String yaml, java.nio.file.Path source) throws ConfigException {
    if (yaml == null || source == null) {
      throw new IllegalArgumentException("yaml and source must not be null");
    }
    String name = source.toString();
    return bindSecurity(new YamlTreeReader(yamlLimits).read(yaml, name), name);
  }

  /**
   * Reads the document as text, decrypting it if it is encrypted (by name or by content).
   *
   * @param file the file
   * @return the YAML text
   * @throws ConfigException if the file cannot be read or decrypted
   */
  public String readText(java.nio.file.Path file) throws ConfigException {
    byte[] content = readBounded(file);
    boolean armored = EnvelopeArmor.isArmored(content);
    if (!armored && requireEncryption) {
      throw new ConfigException(
          file + ": plaintext refused: this loader requires an encrypted configuration (SecureYeoman envelope)");
    }
    if (!armored && !isEncryptedName(file)) {
      return decodeUtf8(content, file);
    }
    if (!armored) {
      throw new ConfigException(file + ": named as encrypted but does not hold a SecureYeoman envelope");
    }
    if (keySource == null) {
      throw new ConfigException(file + ": file is encrypted but no key source was configured");
    }
    byte[] plaintext = null;
    try (RecipientKey key = keySource.load()) {
      plaintext = cipher.decrypt(content, AAD, key);
      return decodeUtf8(plaintext, file);
    } catch (KeySourceException e) {
      throw new ConfigException(file + ": cannot decrypt, " + e.getMessage(), e);
    } catch (EnvelopeException e) {
      throw new ConfigException(file + ": cannot decrypt with " + keySource.description() + ": " + e.getMessage(), e);
    } finally {
      if (plaintext != null) {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  private JsonNode readTree(java.nio.file.Path file) throws ConfigException {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    return new YamlTreeReader(yamlLimits).read(readText(file), file.toString());
  }

  private byte[] readBounded(java.nio.file.Path file) throws ConfigException {
    long max = Math.max((long) yamlLimits.maxDocumentBytes(), cipher.limits().maxEnvelopeBytes() * 4L / 3 + 4096);
    try (InputStream in = Files.newInputStream(file)) {
      byte[] content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      if (content.length > max) {
        throw new ConfigException(file + ": larger than " + max + " bytes");
      }
      return content;
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such file");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  private static String decodeUtf8(byte[] bytes, java.nio.file.Path file) throws ConfigException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException(file + ": not valid UTF-8");
    }
  }

  private SecurityConfig bindSecurity(JsonNode root, String source) throws ConfigException {
    if (!root.isObject()) {
      throw new ConfigException(source, List.of(new ConfigViolation("(root)", "must be a mapping")));
    }
    JsonNode section = root.get(SECURITY_SECTION);
    if (section == null || section.isNull()) {
      section = mapper.createObjectNode();
    }
    if (!section.isObject()) {
      throw new ConfigException(source, List.of(new ConfigViolation(SECURITY_SECTION, "must be a mapping")));
    }
    // unknown keys are reported together with every other violation: prune them, bind the rest, then report all
    List<ConfigViolation> unknown = new ArrayList<>();
    unknownKeys(section, SecurityConfig.class, SECURITY_SECTION, unknown);
    JsonNode known = unknown.isEmpty() ? section : pruneUnknown(section.deepCopy(), SecurityConfig.class);
    JsonNode defaults = mapper.valueToTree(SecurityConfig.defaults());
    JsonNode merged = merge(defaults.deepCopy(), known);
    return bind(merged, SECURITY_SECTION, SecurityConfig.class, source, unknown);
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
    return value;
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
        components.put(snake(c.getName()), c);
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
        components.put(snake(c.getName()), c);
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

  private static Class<?> rawClass(Type type) {
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
      String parent = where.endsWith(u.getPropertyName()) ? where.substring(0, where.length() - u.getPropertyName().length()) : where + ".";
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
      out.append(snake(node.getName()));
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
    return PRINTABLE_KEY.matcher(key).matches() ? key : "(a key that is not snake_case, " + key.length() + " characters)";
  }

  private static final java.util.regex.Pattern PRINTABLE_KEY = java.util.regex.Pattern.compile("[a-z][a-z0-9_]{0,63}");

  private static String display(String path) {
    return path.isEmpty() ? "(root)" : path;
  }

  static String snake(String camel) {
    StringBuilder sb = new StringBuilder(camel.length() + 4);
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c)) {
        if (i > 0) {
          sb.append('_');
        }
        sb.append(Character.toLowerCase(c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "EncryptedConfigLoader[keySource=" + (keySource == null ? "none" : keySource.description())
        + (requireEncryption ? ", encryption required" : "") + "]";
  }

  /** Builder; each option may be set once. */
  public static final class Builder {
    private KeySource keySource;
    private Boolean requireEncryption;
    private EnvelopeCipher cipher;
    private YamlLimits yamlLimits;

    private Builder() {}

    /**
     * Sets the key source used for encrypted files (required to load them).
     *
     * @param keySource the source chosen by the host
     * @return this builder
     */
    public Builder keySource(KeySource keySource) {
      this.keySource = once("keySource", this.keySource, keySource);
      return this;
    }

    /**
     * Refuses plaintext files, whatever their name (default: only files named {@code *.enc.yaml} /
     * {@code *.encrypted.yaml} must be encrypted). Use it when the host expects an encrypted configuration at a path an
     * attacker could fill with plain YAML. Applies to files, not to {@link #parseSecurityConfig(String)}.
     *
     * @param required whether every file must hold an envelope
     * @return this builder
     */
    public Builder requireEncryption(boolean required) {
      this.requireEncryption = once("requireEncryption", this.requireEncryption, required);
      return this;
    }

    /**
     * Sets the envelope cipher (limits for reading envelopes).
     *
     * @param cipher the cipher
     * @return this builder
     */
    public Builder envelopeCipher(EnvelopeCipher cipher) {
      this.cipher = once("envelopeCipher", this.cipher, cipher);
      return this;
    }

    /**
     * Sets the YAML parsing limits.
     *
     * @param limits the limits
     * @return this builder
     */
    public Builder yamlLimits(YamlLimits limits) {
      this.yamlLimits = once("yamlLimits", this.yamlLimits, limits);
      return this;
    }

    /**
     * Builds the loader.
     *
     * @return the loader
     */
    public EncryptedConfigLoader build() {
      return new EncryptedConfigLoader(this);
    }

    private static <V> V once(String name, V current, V value) {
      if (value == null) {
        throw new IllegalArgumentException(name + " must not be null");
      }
      if (current != null) {
        throw new IllegalStateException(name + " was already set to " + current);
      }
      return value;
    }
  }
}
