package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The plugins an operator trusts: one {@code <plugin-id> <sha256>} pair per line, {@code #} comments. Several lines may
 * name the same id (to roll a new version out before the old one is removed); a sha256 belongs to one id only.
 *
 * <pre>
 * # secureyeoman plugins trust file
 * echo 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 * </pre>
 *
 * <p>When a {@link PluginLoader} has a trust file, a jar whose sha256 is not listed is refused <em>before it is
 * opened</em>, and a listed jar must declare the id it is listed for. The hash is taken over the shadow copy that is
 * then loaded, so the bytes checked are the bytes run. Print a jar's line with {@code secureyeoman plugins check}.
 */
public final class TrustFile {

  /** Largest trust file accepted, in bytes. */
  public static final int MAX_BYTES = 1 << 20;

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final Map<String, String> idBySha;

  private TrustFile(Map<String, String> idBySha) {
    this.idBySha = Collections.unmodifiableMap(idBySha);
  }

  /**
   * Reads a trust file (a symbolic link is refused).
   *
   * @param file the file
   * @return the trust file
   * @throws PluginException ({@link Reason#TRUST_FILE_INVALID}) if it cannot be read or parsed
   */
  public static TrustFile read(Path file) throws PluginException {
    String name = String.valueOf(file);
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw PluginException.forJar(Reason.TRUST_FILE_INVALID, name, "no such file");
    } catch (IOException e) {
      throw PluginException.forJar(
          Reason.TRUST_FILE_INVALID, name, "cannot read (" + e.getClass().getSimpleName() + ")", e);
    }
    if (bytes.length > MAX_BYTES) {
      throw PluginException.forJar(Reason.TRUST_FILE_INVALID, name, "larger than " + MAX_BYTES + " bytes");
    }
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
      return parse(text, name);
    } catch (CharacterCodingException e) {
      throw PluginException.forJar(Reason.TRUST_FILE_INVALID, name, "not valid UTF-8");
    }
  }

  /**
   * Parses trust-file text.
   *
   * @param text the content
   * @param source a name for messages
   * @return the trust file
   * @throws PluginException ({@link Reason#TRUST_FILE_INVALID}) naming the bad line
   */
  public static TrustFile parse(String text, String source) throws PluginException {
    Map<String, String> idBySha = new HashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("[ \t]+");
      if (parts.length != 2) {
        throw invalid(source, i + 1, "expected '<plugin-id> <sha256>'");
      }
      String id = parts[0];
      String sha = parts[1].toLowerCase(Locale.ROOT);
      if (!PluginDescriptor.ID.matcher(id).matches()) {
        throw invalid(source, i + 1, "invalid plugin id");
      }
      if (!SHA256.matcher(sha).matches()) {
        throw invalid(source, i + 1, "sha256 must be 64 hex digits");
      }
      String earlier = idBySha.putIfAbsent(sha, id);
      if (earlier != null && !earlier.equals(id)) {
        throw invalid(source, i + 1, "sha256 already listed for plugin '" + earlier + "'");
      }
    }
    return new TrustFile(idBySha);
  }

  /**
   * Returns the plugin id a jar with this sha256 is trusted as.
   *
   * @param sha256 lower-case hex
   * @return the id, or empty if the hash is not listed
   */
  public Optional<String> idFor(String sha256) {
    return Optional.ofNullable(idBySha.get(sha256.toLowerCase(Locale.ROOT)));
  }

  /**
   * Returns the plugin ids named in the file.
   *
   * @return the ids, sorted
   */
  public Set<String> ids() {
    return Collections.unmodifiableSet(new TreeSet<>(idBySha.values()));
  }

  /**
   * Formats one line of a trust file.
   *
   * @param id the plugin id
   * @param sha256 the jar's sha256 (hex)
   * @return the line, without line break
   */
  public static String line(String id, String sha256) {
    return id + " " + sha256.toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "TrustFile[" + idBySha.size() + " hashes for " + ids().size() + " plugins]";
  }

  private static PluginException invalid(String source, int line, String detail) {
    return PluginException.forJar(Reason.TRUST_FILE_INVALID, source, "line " + line + ": " + detail);
  }
}
