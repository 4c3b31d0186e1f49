package dev.secureyeoman.core.crypto;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.TextNeutralizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Implementations of {@link KeySource}. */
final class KeySources {
  private static final Logger LOG = LoggerFactory.getLogger(KeySources.class);
  private static final int MAX_FILE_BYTES = 4096;

  private KeySources() {}

  static String requireName(String variable) {
    if (variable == null || variable.isBlank()) {
      throw new IllegalArgumentException("variable must not be blank");
    }
    return variable;
  }

  static Path requirePath(Path file) {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    return file;
  }

  /** Descriptions name a source; they are printed, so they must be short, printable text (not a key or a config). */
  static String requireDescription(String description) {
    if (description == null || description.isEmpty() || description.length() > 256
        || description.chars().anyMatch(c -> Character.isISOControl(c))) {
      throw new IllegalArgumentException("description must be 1-256 printable characters");
    }
    return description;
  }

  /**
   * A file name or variable name as a description: control and format characters escaped, at most 256 characters (the
   * end is kept). A valid key at a long path, or at a path with a newline in it, used to fail with "description must be
   * 1-256 printable characters" — an {@link IllegalArgumentException} instead of a key.
   */
  static String describe(String prefix, String name) {
    String escaped = TextNeutralizer.standard().neutralize(name);
    int room = 256 - prefix.length();
    String shown = escaped.length() <= room ? escaped : "..." + escaped.substring(escaped.length() - (room - 3));
    return prefix + shown;
  }

  static SecretBytes decodeRawBytes(char[] base64, String description) throws KeySourceException {
    requireDescription(description);
    if (base64 == null) {
      throw new KeySourceException(description + ": no key (expected base64 of a 32-byte key)");
    }
    int start = 0;
    int end = base64.length;
    while (start < end && Character.isWhitespace(base64[start])) {
      start++;
    }
    while (end > start && Character.isWhitespace(base64[end - 1])) {
      end--;
    }
    byte[] ascii = new byte[end - start];
    byte[] raw;
    try {
      for (int i = 0; i < ascii.length; i++) {
        char c = base64[start + i];
        if (c > 0x7f) {
          throw new KeySourceException(description + ": not valid base64 (expected base64 of a 32-byte key)");
        }
        ascii[i] = (byte) c;
      }
      raw = Base64.getDecoder().decode(ascii);
    } catch (IllegalArgumentException e) {
      throw new KeySourceException(description + ": not valid base64 (expected base64 of a 32-byte key)");
    } finally {
      Arrays.fill(ascii, (byte) 0);
    }
    if (raw.length != RecipientKey.RAW_KEY_BYTES) {
      Arrays.fill(raw, (byte) 0);
      throw new KeySourceException(
          description + ": key must be 32 bytes (256 bits) after base64 decoding, was " + raw.length + " bytes");
    }
    return SecretBytes.adopt(raw);
  }

  static RecipientKey decodeRaw(char[] base64, String description) throws KeySourceException {
    try (SecretBytes key = decodeRawBytes(base64, description)) {
      return RecipientKey.raw(key);
    }
  }

  static RecipientKey passphrase(char[] chars, String description) throws KeySourceException {
    try {
      if (chars.length == 0) {
        throw new KeySourceException(description + ": passphrase is empty");
      }
      if (Character.codePointCount(chars, 0, chars.length) < RecipientKey.MIN_PASSPHRASE_CHARS) {
        throw new KeySourceException(
            description + ": passphrase must be at least " + RecipientKey.MIN_PASSPHRASE_CHARS + " characters");
      }
      return RecipientKey.passphrase(chars);
    } catch (IllegalArgumentException e) {
      throw new KeySourceException(description + ": passphrase is not valid text");
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  record Env(String variable, Function<String, String> environment, boolean isPassphrase) implements KeySource {
    @Override
    public RecipientKey load() throws KeySourceException {
      String value = environment.apply(variable);
      if (value == null || value.isEmpty()) {
        throw new KeySourceException("no key: " + description() + " is not set");
      }
      char[] chars = value.toCharArray();
      try {
        return isPassphrase ? passphrase(chars, description()) : decodeRaw(chars, description());
      } finally {
        Arrays.fill(chars, '\0');
      }
    }

    @Override
    public String description() {
      return describe("environment variable ", variable);
    }

    @Override
    public String toString() {
      return "KeySource[" + description() + "]";
    }
  }

  record File(Path file, boolean isPassphrase) implements KeySource {
    @Override
    public RecipientKey load() throws KeySourceException {
      byte[] content;
      try (InputStream in = Files.newInputStream(file)) {
        content = in.readNBytes(MAX_FILE_BYTES + 1);
      } catch (NoSuchFileException e) {
        throw new KeySourceException("no key: " + description() + " does not exist");
      } catch (IOException e) {
        throw new KeySourceException("no key: cannot read " + description() + ": " + e.getClass().getSimpleName(), e);
      }
      try {
        if (content.length > MAX_FILE_BYTES) {
          throw new KeySourceException(description() + ": larger than " + MAX_FILE_BYTES + " bytes");
        }
        warnings().forEach(w -> LOG.warn("{}", w));
        CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(content));
        char[] text = new char[chars.remaining()];
        chars.get(text);
        if (chars.hasArray()) {
          Arrays.fill(chars.array(), '\0');
        }
        if (isPassphrase) {
          int end = 0;
          while (end < text.length && text[end] != '\n' && text[end] != '\r') {
            end++;
          }
          char[] line = Arrays.copyOf(text, end);
          Arrays.fill(text, '\0');
          return passphrase(line, description());
        }
        try {
          return decodeRaw(text, description());
        } finally {
          Arrays.fill(text, '\0');
        }
      } finally {
        Arrays.fill(content, (byte) 0);
      }
    }

    @Override
    public List<String> warnings() {
      try {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
          return List.of(description() + " is readable by group or others; restrict it to mode 0600");
        }
      } catch (IOException | UnsupportedOperationException e) {
        LOG.debug("cannot read permissions of {}", description());
      }
      return List.of();
    }

    @Override
    public String description() {
      return describe(isPassphrase ? "passphrase file " : "key file ", file.toString());
    }

    @Override
    public String toString() {
      return "KeySource[" + description() + "]";
    }
  }

  record Fixed(SecretBytes key) implements KeySource {
    @Override
    public RecipientKey load() {
      return RecipientKey.raw(key);
    }

    @Override
    public String description() {
      return "key supplied by the application";
    }

    @Override
    public String toString() {
      return "KeySource[" + description() + ", ██]";
    }
  }
}
