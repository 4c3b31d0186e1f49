package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A plugin's descriptor, {@value #PATH} inside the jar:
 *
 * <pre>
 * # SecureYeoman plugin descriptor
 * id = echo
 * version = 1.2.0
 * spi-version = 1.0
 * factory = com.example.echo.EchoIntegrationFactory
 * name = Echo example
 * </pre>
 *
 * <p>Format (deliberately stricter than {@code java.util.Properties}): UTF-8, at most {@value #MAX_BYTES} bytes, one
 * {@code key = value} per line, {@code #} comments, no escapes and no continuation lines, no control characters, no
 * duplicate keys, no unknown keys except extensions prefixed {@code x-} (ignored). Keys: {@code id} (required, the
 * integration id: {@code [a-z][a-z0-9_-]{0,62}}), {@code version} (required, starts with a digit, at most 64 characters
 * of {@code [0-9A-Za-z.+_-]}), {@code spi-version} (required, {@code major.minor}), {@code factory} (optional binary
 * class name; without it the factory is found through {@code META-INF/services}) and {@code name} (optional, at most
 * 128 characters).
 *
 * <p>{@link #parse(byte[], String)} throws only {@link PluginException} ({@link Reason#DESCRIPTOR_MALFORMED}) for bad
 * input, whatever the bytes (fuzzed by {@code PluginDescriptorFuzzTest}).
 *
 * @param id the integration id
 * @param version the plugin version
 * @param spiVersion the SPI version the plugin was built against ({@code major.minor})
 * @param factory the factory's binary class name, if declared
 * @param name a display name, if declared
 */
public record PluginDescriptor(
    String id, String version, String spiVersion, Optional<String> factory, Optional<String> name) {

  /** Location of the descriptor inside a plugin jar. */
  public static final String PATH = "META-INF/secureyeoman-plugin.properties";

  /** Largest descriptor accepted, in bytes. */
  public static final int MAX_BYTES = 16 * 1024;

  static final Pattern ID = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
  private static final Pattern VERSION = Pattern.compile("[0-9][0-9A-Za-z.+_-]{0,63}");
  private static final Pattern SPI_VERSION = Pattern.compile("(0|[1-9][0-9]{0,3})\\.(0|[1-9][0-9]{0,3})");
  private static final Pattern CLASS_NAME =
      Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");
  private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9-]{0,63}");

  /** Validates every field (the same rules as the parser). */
  public PluginDescriptor {
    require(ID, "id", id);
    require(VERSION, "version", version);
    require(SPI_VERSION, "spi-version", spiVersion);
    Objects.requireNonNull(factory, "factory");
    factory.ifPresent(f -> require(CLASS_NAME, "factory", f));
    if (factory.isPresent() && factory.get().length() > 256) {
      throw new IllegalArgumentException("factory must be at most 256 characters");
    }
    Objects.requireNonNull(name, "name");
    name.ifPresent(
        n -> {
          if (n.isEmpty() || n.length() > 128 || !n.strip().equals(n) || hasControl(n)) {
            throw new IllegalArgumentException("name must be 1-128 characters without control characters");
          }
        });
  }

  /**
   * Parses a descriptor.
   *
   * @param bytes the descriptor's bytes
   * @param jar the jar's file name, for messages
   * @return the descriptor
   * @throws PluginException ({@link Reason#DESCRIPTOR_MALFORMED}) naming the line and the problem
   */
  public static PluginDescriptor parse(byte[] bytes, String jar) throws PluginException {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length > MAX_BYTES) {
      throw malformed(jar, "descriptor is larger than " + MAX_BYTES + " bytes");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw malformed(jar, "descriptor is not valid UTF-8");
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    Map<String, String> values = new HashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
      int lineNo = i + 1;
      if (hasControl(line.replace('\t', ' '))) {
        throw malformed(jar, "line " + lineNo + ": control character");
      }
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      int eq = trimmed.indexOf('=');
      if (eq < 0) {
        throw malformed(jar, "line " + lineNo + ": expected 'key = value'");
      }
      String key = trimmed.substring(0, eq).strip();
      String value = trimmed.substring(eq + 1).strip();
      if (!KEY.matcher(key).matches()) {
        throw malformed(jar, "line " + lineNo + ": invalid key (expected [a-z][a-z0-9-]*)");
      }
      if (values.containsKey(key)) {
        throw malformed(jar, "line " + lineNo + ": duplicate key '" + key + "'");
      }
      if (!key.startsWith("x-") && !isKnown(key)) {
        throw malformed(jar, "line " + lineNo + ": unknown key '" + key + "'");
      }
      if (value.indexOf('\t') >= 0) {
        throw malformed(jar, "line " + lineNo + ": control character");
      }
      values.put(key, value);
    }
    String id = required(values, "id", ID, jar);
    String version = required(values, "version", VERSION, jar);
    String spi = required(values, "spi-version", SPI_VERSION, jar);
    Optional<String> factory = Optional.ofNullable(values.get("factory"));
    if (factory.isPresent() && (factory.get().length() > 256 || !CLASS_NAME.matcher(factory.get()).matches())) {
      throw malformed(jar, "'factory' must be a binary class name of at most 256 characters");
    }
    Optional<String> name = Optional.ofNullable(values.get("name"));
    if (name.isPresent() && (name.get().isEmpty() || name.get().length() > 128)) {
      throw malformed(jar, "'name' must be 1-128 characters");
    }
    return new PluginDescriptor(id, version, spi, factory, name);
  }

  /**
   * Whether this plugin can run on a host SPI version: same major version and a minor version not newer than the
   * host's.
   *
   * @param hostSpiVersion the host's {@code major.minor}, e.g. {@link dev.secureyeoman.integrations.IntegrationFactory#SPI_VERSION}
   * @return true if compatible
   */
  public boolean isCompatibleWith(String hostSpiVersion) {
    require(SPI_VERSION, "hostSpiVersion", hostSpiVersion);
    int[] mine = split(spiVersion);
    int[] host = split(hostSpiVersion);
    return mine[0] == host[0] && mine[1] <= host[1];
  }

  /**
   * Formats the descriptor in the file format; {@link #parse} of the result gives an equal descriptor.
   *
   * @return the descriptor text
   */
  public String toText() {
    StringBuilder sb = new StringBuilder("# SecureYeoman plugin descriptor\n");
    sb.append("id = ").append(id).append('\n');
    sb.append("version = ").append(version).append('\n');
    sb.append("spi-version = ").append(spiVersion).append('\n');
    factory.ifPresent(f -> sb.append("factory = ").append(f).append('\n'));
    name.ifPresent(n -> sb.append("name = ").append(n).append('\n'));
    return sb.toString();
  }

  private static boolean isKnown(String key) {
    return switch (key) {
      case "id", "version", "spi-version", "factory", "name" -> true;
      default -> false;
    };
  }

  private static String required(Map<String, String> values, String key, Pattern pattern, String jar)
      throws PluginException {
    String v = values.get(key);
    if (v == null) {
      throw malformed(jar, "missing required key '" + key + "'");
    }
    if (!pattern.matcher(v).matches()) {
      throw malformed(jar, "'" + key + "' must match " + pattern.pattern());
    }
    return v;
  }

  private static int[] split(String v) {
    int dot = v.indexOf('.');
    return new int[] {Integer.parseInt(v.substring(0, dot)), Integer.parseInt(v.substring(dot + 1))};
  }

  private static void require(Pattern p, String name, String value) {
    Objects.requireNonNull(value, name);
    if (!p.matcher(value).matches()) {
      throw new IllegalArgumentException(name + " must match " + p.pattern());
    }
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private static PluginException malformed(String jar, String detail) {
    return PluginException.forJar(Reason.DESCRIPTOR_MALFORMED, jar, detail);
  }
}
