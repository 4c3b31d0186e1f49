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
import java.security.MessageDigest;
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
import org.jspecify.annotations.Nullable;

/**
 * Named secrets (API tokens, webhook keys, ...) kept together in one encrypted file. Every change re-seals the whole
 * file and writes it {@linkplain AtomicFiles atomically} with mode {@code 0600}; other recipients of the file keep
 * access. Change recipients with {@link #rekey(List)}, which always draws a new data key.
 *
 * <p>Before every write the store re-reads the file: when another process (or {@link EnvelopeCipher#rekey} /
 * {@link EnvelopeCipher#rotate}) changed it since this store last read or wrote it, the store re-opens it with its key
 * and applies the change to the <em>current</em> content, recipients and data key — so a write never restores a
 * recipient that a rekey removed. If its key no longer opens the file, the write fails and nothing is written. A file
 * sealed under a data key that this store has seen retired by a rekey (its own or one it adopted) is an older copy put
 * back — by a removed recipient, who knows that key — and is refused the same way (for the life of this instance).
 *
 * <p>Names are 1–128 characters of {@code [A-Za-z0-9._/-]}. Values are at most 64 KiB each. The associated data of the
 * envelope is {@value #ASSOCIATED_DATA}.
 *
 * <p>Holds its key, the data key and the decrypted secrets in memory while open; {@link #close()} wipes them.
 * Thread-safe. Two processes writing at the very same moment are not serialised (no file lock): the last rename wins.
 */
public final class NamedSecretStore implements AutoCloseable {

  /** Associated data binding the envelope to this use. */
  public static final String ASSOCIATED_DATA = "secureyeoman:named-secrets:v1";

  private static final byte[] AAD = ASSOCIATED_DATA.getBytes(StandardCharsets.US_ASCII);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._/-]{1,128}");
  private static final int MAX_VALUE_BYTES = 64 * 1024;

  private final Path file;
  private final EnvelopeCipher cipher;
  private final RecipientKey key;
  private List<EnvelopeCodec.Recipient> recipients;
  private byte[] dataKey;
  private TreeMap<String, byte[]> secrets;
  /** SHA-256 of the file content this store last read or wrote; null when the file did not exist. */
  private byte @Nullable [] seen;
  /**
   * SHA-256 of every data key this store has seen replaced (by its own {@link #rekey} or by adopting another writer's
   * rekey): a file sealed under one of them is an older copy put back — by a removed recipient, who knows that key.
   */
  private final java.util.Set<java.nio.ByteBuffer> retiredDataKeys = new java.util.HashSet<>();
  private boolean closed;

  private NamedSecretStore(
      Path file,
      EnvelopeCipher cipher,
      RecipientKey key,
      List<EnvelopeCodec.Recipient> recipients,
      byte[] dataKey,
      TreeMap<String, byte[]> secrets,
      byte @Nullable [] seen) {
    this.file = file;
    this.cipher = cipher;
    this.key = key;
    this.recipients = recipients;
    this.dataKey = dataKey;
    this.secrets = secrets;
    this.seen = seen;
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
    byte[] content = readFile(file, cipher);
    RecipientKey own = key.copy();
    if (content == null) {
      byte[] dataKey = cipher.randomBytes(EnvelopeCodec.DATA_KEY_BYTES);
      return new NamedSecretStore(
          file, cipher, own, cipher.wrapAll(dataKey, List.of(key)), dataKey, new TreeMap<>(), null);
    }
    try {
      EnvelopeCipher.Opened opened = cipher.open(content, AAD, key);
      try {
        return new NamedSecretStore(
            file, cipher, own, opened.recipients, opened.dataKey, decode(opened.plaintext), sha256(content));
      } catch (EnvelopeException e) {
        opened.wipeKey();
        throw e;
      } finally {
        Arrays.fill(opened.plaintext, (byte) 0);
      }
    } catch (EnvelopeException | RuntimeException e) {
      own.close();
      throw e;
    }
  }

  /** The file's bytes, or null when it does not exist. */
  private static byte @Nullable [] readFile(Path file, EnvelopeCipher cipher) throws EnvelopeException, IOException {
    try {
      if (Files.size(file) > cipher.limits().maxEnvelopeBytes() * 2L) {
        throw new EnvelopeException(Reason.TOO_LARGE, "store file too large");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
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
    refresh();
    TreeMap<String, byte[]> next = new TreeMap<>(secrets);
    next.put(name, value.toByteArray());
    persist(next, recipients, dataKey);
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
    refresh();
    if (!secrets.containsKey(name)) {
      return false;
    }
    TreeMap<String, byte[]> next = new TreeMap<>(secrets);
    next.remove(name);
    persist(next, recipients, dataKey);
    Arrays.fill(secrets.remove(name), (byte) 0);
    return true;
  }

  /**
   * Replaces the recipients and draws a new data key, then writes the file atomically: keys not in
   * {@code newRecipients} cannot open the result, even if they kept an old copy of the file (and so the old data key).
   *
   * @param newRecipients the complete new list; must include this store's own key (kind and id), which it keeps using
   * @throws IOException if the file could not be written (the in-memory state is then unchanged)
   * @throws IllegalArgumentException if the list is empty, has duplicates or lacks this store's key
   */
  public synchronized void rekey(List<RecipientKey> newRecipients) throws IOException {
    checkOpen();
    if (newRecipients == null
        || newRecipients.stream()
            .noneMatch(k -> k != null && k.kind() == key.kind() && k.keyId().equals(key.keyId()))) {
      throw new IllegalArgumentException("newRecipients must include this store's own key (id " + key.keyId() + ")");
    }
    refresh();
    byte[] freshKey = cipher.randomBytes(EnvelopeCodec.DATA_KEY_BYTES);
    List<EnvelopeCodec.Recipient> wrapped;
    try {
      wrapped = cipher.wrapAll(freshKey, newRecipients);
      persist(secrets, wrapped, freshKey);
    } catch (IOException | RuntimeException e) {
      Arrays.fill(freshKey, (byte) 0);
      throw e;
    }
    retiredDataKeys.add(ByteBuffer.wrap(sha256(dataKey)));
    Arrays.fill(dataKey, (byte) 0);
    dataKey = freshKey;
    recipients = wrapped;
  }

  /**
   * Re-reads the file; if it changed since this store last saw it, re-opens it with the store's key and adopts its
   * recipients, data key and content.
   */
  private void refresh() throws IOException {
    byte[] content;
    try {
      content = readFile(file, cipher);
    } catch (EnvelopeException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    byte[] digest = content == null ? null : sha256(content);
    if (java.util.Arrays.equals(digest, seen)) {
      return;
    }
    if (content == null) {
      throw new IOException(file + " was deleted by another writer; not recreating it");
    }
    EnvelopeCipher.Opened opened;
    try {
      opened = cipher.open(content, AAD, key);
    } catch (EnvelopeException e) {
      throw new IOException(
          file + " was changed by another writer and this store's key no longer opens it (" + e.reason() + ")", e);
    }
    ByteBuffer adopted = ByteBuffer.wrap(sha256(opened.dataKey));
    if (retiredDataKeys.contains(adopted)) {
      opened.wipeAll();
      throw new IOException(
          file + " was rolled back: it is sealed under a data key that a rekey retired (an older copy put back, possibly"
              + " by a removed recipient); not writing to it");
    }
    TreeMap<String, byte[]> current;
    try {
      current = decode(opened.plaintext);
    } catch (EnvelopeException e) {
      opened.wipeKey();
      throw new IOException(file + ": " + e.getMessage(), e);
    } finally {
      Arrays.fill(opened.plaintext, (byte) 0);
    }
    if (!MessageDigest.isEqual(dataKey, opened.dataKey)) {
      retiredDataKeys.add(ByteBuffer.wrap(sha256(dataKey)));
    }
    Arrays.fill(dataKey, (byte) 0);
    for (byte[] v : secrets.values()) {
      Arrays.fill(v, (byte) 0);
    }
    dataKey = opened.dataKey;
    recipients = opened.recipients;
    secrets = current;
    seen = digest;
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
    key.close();
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

  private void persist(Map<String, byte[]> content, List<EnvelopeCodec.Recipient> to, byte[] withKey)
      throws IOException {
    byte[] plaintext = encode(content);
    try {
      byte[] sealed = cipher.seal(to, withKey, plaintext, AAD);
      AtomicFiles.write(file, sealed);
      seen = sha256(sealed);
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
