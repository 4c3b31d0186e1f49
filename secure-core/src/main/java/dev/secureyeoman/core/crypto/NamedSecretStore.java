package dev.secureyeoman.core.crypto;

import dev.secureyeoman.core.AtomicFiles;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.EnvelopeException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Named secrets (API tokens, webhook keys, ...) kept together in one encrypted file. Every change re-seals the whole
 * file under the same data key and writes it {@linkplain AtomicFiles atomically} with mode {@code 0600}; other
 * recipients of the file keep access. Use {@link EnvelopeCipher#rekey} / {@link EnvelopeCipher#rotate} on the file to
 * change recipients.
 *
 * <p>Names are 1–128 characters of {@code [A-Za-z0-9._/-]}. Values are at most 64 KiB each. The associated data of the
 * envelope is {@value #ASSOCIATED_DATA}.
 *
 * <p>Holds the data key and the decrypted secrets in memory while open; {@link #close()} wipes them. Thread-safe. Not
 * safe against two processes writing the same file at once (the last writer wins).
 */
public final class NamedSecretStore implements AutoCloseable {

  /** Associated data binding the envelope to this use. */
  public static final String ASSOCIATED_DATA = "secureyeoman:named-secrets:v1";

  private static final byte[] AAD = ASSOCIATED_DATA.getBytes(StandardCharsets.US_ASCII);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._/-]{1,128}");
  private static final int MAX_VALUE_BYTES = 64 * 1024;

  private final Path file;
  private final EnvelopeCipher cipher;
  private final List<EnvelopeCodec.Recipient> recipients;
  private final byte[] dataKey;
  private final TreeMap<String, byte[]> secrets;
  private boolean closed;

  private NamedSecretStore(
      Path file,
      EnvelopeCipher cipher,
      List<EnvelopeCodec.Recipient> recipients,
      byte[] dataKey,
      TreeMap<String, byte[]> secrets) {
    this.file = file;
    this.cipher = cipher;
    this.recipients = recipients;
    this.dataKey = dataKey;
    this.secrets = secrets;
  }

  /**
   * Opens {@code file} with {@code key}, or starts an empty store (created on the first {@link #put}) for {@code key}
   * as the only recipient when the file does not exist.
   *
   * @param file the store file
   * @param key a recipient key of the file
   * @return the open store
   * @throws EnvelopeException if the file cannot be opened with {@code key}
   * @throws IOException if the file cannot be read
   */
  public static NamedSecretStore open(Path file, RecipientKey key) throws EnvelopeException, IOException {
    return open(file, key, EnvelopeCipher.create());
  }

  /**
   * Like {@link #open(Path, RecipientKey)} with an explicit cipher.
   *
   * @param file the store file
   * @param key a recipient key of the file
   * @param cipher randomness and limits
   * @return the open store
   * @throws EnvelopeException if the file cannot be opened with {@code key}
   * @throws IOException if the file cannot be read
   */
  public static NamedSecretStore open(Path file, RecipientKey key, EnvelopeCipher cipher)
      throws EnvelopeException, IOException {
    if (file == null || key == null || cipher == null) {
      throw new IllegalArgumentException("file, key and cipher must not be null");
    }
    byte[] content;
    try {
      if (Files.size(file) > cipher.limits().maxEnvelopeBytes() * 2L) {
        throw new EnvelopeException(Reason.TOO_LARGE, "store file too large");
      }
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      byte[] dataKey = cipher.randomBytes(EnvelopeCodec.DATA_KEY_BYTES);
      return new NamedSecretStore(file, cipher, cipher.wrapAll(dataKey, List.of(key)), dataKey, new TreeMap<>());
    }
    EnvelopeCipher.Opened opened = cipher.open(content, AAD, key);
    try {
      return new NamedSecretStore(file, cipher, opened.recipients, opened.dataKey, decode(opened.plaintext));
    } catch (EnvelopeException e) {
      opened.wipeKey();
      throw e;
    } finally {
      Arrays.fill(opened.plaintext, (byte) 0);
    }
  }

  /**
   * Returns a copy of the named secret.
   *
   * @param name the name
   * @return the secret (caller closes), or empty if absent
   */
  public synchronized Optional<SecretBytes> get(String name) {
    checkOpen();
    byte[] value = secrets.get(checkName(name));
    return value == null ? Optional.empty() : Optional.of(SecretBytes.copyOf(value));
  }

  /**
   * Stores (or replaces) a secret and writes the file atomically before returning.
   *
   * @param name the name
   * @param value the secret; copied
   * @throws IOException if the file could not be written (the in-memory state is then unchanged)
   */
  public synchronized void put(String name, SecretBytes value) throws IOException {
    checkOpen();
    checkName(name);
    if (value == null) {
      throw new IllegalArgumentException("value must not be null");
    }
    if (value.length() > MAX_VALUE_BYTES) {
      throw new IllegalArgumentException("value must be at most " + MAX_VALUE_BYTES + " bytes, was " + value.length());
    }
    TreeMap<String, byte[]> next = new TreeMap<>(secrets);
    next.put(name, value.toByteArray());
    persist(next);
    byte[] old = secrets.put(name, next.get(name));
    if (old != null) {
      Arrays.fill(old, (byte) 0);
    }
  }

  /**
   * Deletes a secret and writes the file atomically before returning.
   *
   * @param name the name
   * @return whether the secret existed
   * @throws IOException if the file could not be written (the in-memory state is then unchanged)
   */
  public synchronized boolean delete(String name) throws IOException {
    checkOpen();
    checkName(name);
    if (!secrets.containsKey(name)) {
      return false;
    }
    TreeMap<String, byte[]> next = new TreeMap<>(secrets);
    next.remove(name);
    persist(next);
    Arrays.fill(secrets.remove(name), (byte) 0);
    return true;
  }

  /**
   * Lists the names.
   *
   * @return the sorted names
   */
  public synchronized SortedSet<String> list() {
    checkOpen();
    return Collections.unmodifiableSortedSet(new TreeSet<>(secrets.keySet()));
  }

  /** Wipes the data key and the secrets held in memory. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Arrays.fill(dataKey, (byte) 0);
    for (byte[] v : secrets.values()) {
      Arrays.fill(v, (byte) 0);
    }
    secrets.clear();
  }

  @Override
  public String toString() {
    return "NamedSecretStore[" + file + "]";
  }

  private void persist(Map<String, byte[]> content) throws IOException {
    byte[] plaintext = encode(content);
    try {
      AtomicFiles.write(file, cipher.seal(recipients, dataKey, plaintext, AAD));
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("store was closed");
    }
  }

  private static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name must be 1-128 characters of [A-Za-z0-9._/-]");
    }
    return name;
  }

  private static byte[] encode(Map<String, byte[]> content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    EnvelopeCodec.writeInt(out, content.size());
    for (Map.Entry<String, byte[]> e : content.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.US_ASCII);
      out.write(name.length);
      out.writeBytes(name);
      EnvelopeCodec.writeInt(out, e.getValue().length);
      out.writeBytes(e.getValue());
    }
    return out.toByteArray();
  }

  private static TreeMap<String, byte[]> decode(byte[] plaintext) throws EnvelopeException {
    ByteBuffer in = ByteBuffer.wrap(plaintext);
    TreeMap<String, byte[]> out = new TreeMap<>();
    List<byte[]> allocated = new ArrayList<>();
    try {
      int count = in.getInt();
      if (count < 0 || count > plaintext.length) {
        throw new EnvelopeException(Reason.MALFORMED, "bad secret count");
      }
      for (int i = 0; i < count; i++) {
        byte[] name = new byte[in.get() & 0xff];
        in.get(name);
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
          throw new EnvelopeException(Reason.MALFORMED, "bad secret length");
        }
        byte[] value = new byte[length];
        allocated.add(value);
        in.get(value);
        String key = new String(name, StandardCharsets.US_ASCII);
        if (!NAME.matcher(key).matches() || out.put(key, value) != null) {
          throw new EnvelopeException(Reason.MALFORMED, "bad secret name");
        }
      }
      if (in.hasRemaining()) {
        throw new EnvelopeException(Reason.MALFORMED, "trailing data");
      }
      return out;
    } catch (java.nio.BufferUnderflowException e) {
      allocated.forEach(v -> Arrays.fill(v, (byte) 0));
      throw new EnvelopeException(Reason.MALFORMED, "store content truncated");
    } catch (EnvelopeException e) {
      allocated.forEach(v -> Arrays.fill(v, (byte) 0));
      throw e;
    }
  }
}
