package dev.secureyeoman.core.config;

import dev.secureyeoman.core.MissingDependencyException;
import dev.secureyeoman.core.crypto.EnvelopeArmor;
import dev.secureyeoman.core.crypto.EnvelopeCipher;
import dev.secureyeoman.core.crypto.EnvelopeException;
import dev.secureyeoman.core.crypto.KeySource;
import dev.secureyeoman.core.crypto.KeySourceException;
import dev.secureyeoman.core.crypto.RecipientKey;
import dev.secureyeoman.core.internal.OptionalDependencies;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

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
 * <p><b>Dependencies.</b> SnakeYAML, Jackson databind + jsr310 and Hibernate Validator are optional dependencies of
 * secure-core: the host (or a module such as secure-integrations) adds them to parse. Without them the loader is still
 * built and {@link #readText} still decrypts, but every parsing method throws a {@link ConfigException} whose cause is a
 * {@link dev.secureyeoman.core.MissingDependencyException} naming the artifacts to add.
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

  private final @Nullable KeySource keySource;
  private final boolean requireEncryption;
  private final EnvelopeCipher cipher;
  private final YamlLimits yamlLimits;
  /** Parses, binds and validates; null when the optional libraries are missing (then {@link #missing} says which). */
  private final @Nullable ConfigBinder binder;

  private final @Nullable MissingDependencyException missing;

  private EncryptedConfigLoader(Builder b) {
    this.keySource = b.keySource;
    this.requireEncryption = b.requireEncryption != null && b.requireEncryption;
    this.cipher = b.cipher != null ? b.cipher : EnvelopeCipher.create();
    this.yamlLimits = b.yamlLimits != null ? b.yamlLimits : YamlLimits.DEFAULT;
    // SnakeYAML, Jackson and Hibernate Validator are optional dependencies of secure-core: without them the loader is
    // still built (readText decrypts without them) and every parsing method fails with a ConfigException naming them
    this.missing = OptionalDependencies.CONFIG.missing();
    this.binder = missing == null ? new ConfigBinder(yamlLimits) : null;
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
    ConfigBinder b = binder(file);
    return b.security(readText(file), file.toString());
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
    ConfigBinder b = binder(file);
    return b.whole(readText(file), file.toString(), type);
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
    ConfigBinder b = binder(file);
    return b.section(readText(file), file.toString(), section, type);
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
    ConfigBinder b = binder(source);
    return b.security(yaml, source.toString());
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
    } catch (MissingDependencyException e) {
      throw new ConfigException(file + ": cannot decrypt: " + e.getMessage(), e); // a passphrase key without Argon2id
    } finally {
      if (plaintext != null) {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** The binder, or a ConfigException naming the missing optional libraries (before any file is read). */
  private ConfigBinder binder(java.nio.file.Path source) throws ConfigException {
    if (source == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    if (binder == null) {
      MissingDependencyException why = java.util.Objects.requireNonNull(missing, "missing (set whenever binder is null)");
      throw new ConfigException(source + ": cannot parse configuration: " + why.getMessage(), why);
    }
    return binder;
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
    private @Nullable KeySource keySource;
    private @Nullable Boolean requireEncryption;
    private @Nullable EnvelopeCipher cipher;
    private @Nullable YamlLimits yamlLimits;

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

    private static <V> V once(String name, @Nullable V current, V value) {
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
