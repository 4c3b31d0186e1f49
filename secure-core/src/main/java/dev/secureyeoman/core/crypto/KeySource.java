package dev.secureyeoman.core.crypto;

import dev.secureyeoman.core.SecretBytes;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Where a key comes from. The host application chooses a key source explicitly; library code never consults the
 * environment or the file system for keys on its own.
 *
 * <p>Raw keys are base64 (standard alphabet, surrounding whitespace ignored) of exactly 32 bytes; anything else is
 * rejected with a message naming the source but not its content. Passphrases must be at least
 * {@value RecipientKey#MIN_PASSPHRASE_CHARS} characters.
 */
public interface KeySource {

  /**
   * Loads the key. Each call returns a new {@link RecipientKey} the caller closes.
   *
   * @return the key
   * @throws KeySourceException if the source is missing, unreadable or malformed (message names the source)
   */
  RecipientKey load() throws KeySourceException;

  /**
   * Describes the source without secrets, e.g. {@code environment variable SECUREYEOMAN_CONFIG_KEY}.
   *
   * @return the description
   */
  String description();

  /**
   * A raw key in base64 from an environment variable of this process.
   *
   * @param variable the variable name
   * @return the source
   */
  static KeySource rawKeyFromEnv(String variable) {
    return rawKeyFromEnv(variable, System::getenv);
  }

  /**
   * A raw key in base64 from a variable looked up in {@code environment} (tests and hosts with their own environment).
   *
   * @param variable the variable name
   * @param environment lookup returning null when unset
   * @return the source
   */
  static KeySource rawKeyFromEnv(String variable, Function<String, String> environment) {
    return new KeySources.Env(KeySources.requireName(variable), environment, false);
  }

  /**
   * A raw key in base64 from a file (at most 4 KiB).
   *
   * @param file the key file
   * @return the source
   */
  static KeySource rawKeyFromFile(Path file) {
    return new KeySources.File(KeySources.requirePath(file), false);
  }

  /**
   * A passphrase from an environment variable of this process (Argon2id with default cost for new recipients).
   *
   * @param variable the variable name
   * @return the source
   */
  static KeySource passphraseFromEnv(String variable) {
    return passphraseFromEnv(variable, System::getenv);
  }

  /**
   * A passphrase from a variable looked up in {@code environment}.
   *
   * @param variable the variable name
   * @param environment lookup returning null when unset
   * @return the source
   */
  static KeySource passphraseFromEnv(String variable, Function<String, String> environment) {
    return new KeySources.Env(KeySources.requireName(variable), environment, true);
  }

  /**
   * A passphrase from the first line of a file (at most 4 KiB).
   *
   * @param file the passphrase file
   * @return the source
   */
  static KeySource passphraseFromFile(Path file) {
    return new KeySources.File(KeySources.requirePath(file), true);
  }

  /**
   * A raw key held by the host (for example fetched from a KMS).
   *
   * @param key exactly 32 bytes; copied
   * @return the source
   */
  static KeySource fixed(SecretBytes key) {
    RecipientKey.raw(key).close(); // validates the length now
    return new KeySources.Fixed(SecretBytes.copyOf(key.toByteArray()));
  }

  /**
   * Loads the key as raw bytes, for keys that are not envelope recipients (audit MAC keys, auth master keys).
   *
   * @return the 32 key bytes; the caller closes them
   * @throws KeySourceException if the source is missing or malformed, or holds a passphrase rather than a raw key
   */
  default SecretBytes loadRawKey() throws KeySourceException {
    try (RecipientKey key = load()) {
      if (key.kind() != RecipientKey.Kind.RAW_KEY) {
        throw new KeySourceException(description() + ": holds a passphrase, not a raw 256-bit key");
      }
      return SecretBytes.adopt(key.secret().toByteArray());
    }
  }

  /**
   * Non-secret warnings about this source that a tool should show its user (for example a key file readable by group
   * or others). Library code logs them at WARN when the key is loaded.
   *
   * @return the warnings, empty when there is nothing to say
   */
  default List<String> warnings() {
    return List.of();
  }

  /**
   * Decodes a base64 raw key. The key travels as a {@code char[]} and the description as a {@link String}, so the two
   * cannot be swapped by mistake (a swap would otherwise print the key in the error message).
   *
   * @param base64 base64 of 32 bytes, surrounding whitespace ignored; not modified (the caller wipes it)
   * @param description the source, for error messages: 1-256 printable characters
   * @return the key
   * @throws KeySourceException if not base64 of exactly 32 bytes (the message never contains the value)
   * @throws IllegalArgumentException if the description is not 1-256 printable characters
   */
  static RecipientKey decodeRawKey(char[] base64, String description) throws KeySourceException {
    return KeySources.decodeRaw(base64, description);
  }

  /**
   * Decodes a base64 raw 256-bit key into bytes, for keys that are not envelope recipients (audit MAC keys, auth master
   * keys). The one place that validates the encoding and the length of such keys. The key travels as a {@code char[]}
   * and the description as a {@link String}, so the two cannot be swapped by mistake.
   *
   * @param base64 base64 of 32 bytes, surrounding whitespace ignored; not modified (the caller wipes it)
   * @param description the source (e.g. {@code environment variable SECUREYEOMAN_AUDIT_KEY}), for error messages: 1-256
   *     printable characters
   * @return the key; the caller closes it
   * @throws KeySourceException if missing or not base64 of exactly 32 bytes (the message never contains the value)
   * @throws IllegalArgumentException if the description is not 1-256 printable characters
   */
  static SecretBytes decodeRawKeyBytes(char[] base64, String description) throws KeySourceException {
    return KeySources.decodeRawBytes(base64, description);
  }
}
