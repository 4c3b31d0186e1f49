package dev.secureyeoman.core.crypto;

import dev.secureyeoman.core.crypto.EnvelopeCodec.Parsed;
import dev.secureyeoman.core.crypto.EnvelopeCodec.Recipient;
import dev.secureyeoman.core.crypto.EnvelopeException.Reason;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Multi-recipient AES-256-GCM envelopes: one random 256-bit data key per envelope, wrapped (AES-256-GCM) for each
 * recipient key; the whole header is associated data of the payload, followed by the caller's associated data.
 *
 * <p>Operations: {@link #encrypt}, {@link #decrypt}, {@link #rekey} (same data key, new set of recipients — old keys stop
 * working), {@link #rotate} (new data key and recipients), {@link #inspect}. Envelopes can be passed in binary or
 * {@linkplain EnvelopeArmor armored} form; results are binary.
 *
 * <p><b>Security guarantees.</b> IND-CCA confidentiality and integrity of the payload and integrity of the entire header
 * under any recipient key; a passphrase is stretched with Argon2id whose stored cost is bounded by {@link EnvelopeLimits}
 * before derivation; data keys, wrapping keys and intermediate plaintext are wiped after use. Nonces are random 96-bit
 * values, so a single data key should not seal more than 2<sup>32</sup> payloads (each rekey or rewrite is one).
 *
 * <p><b>Non-goals.</b> No forward secrecy, no hiding of lengths or key ids, no protection against rollback to an older
 * envelope under the same key. Thread-safe.
 */
public final class EnvelopeCipher {
  private static final String AES_GCM = "AES/GCM/NoPadding";

  private final SecureRandom random;
  private final EnvelopeLimits limits;

  private EnvelopeCipher(SecureRandom random, EnvelopeLimits limits) {
    this.random = random;
    this.limits = limits;
  }

  /**
   * Returns a cipher with a new {@link SecureRandom} and {@link EnvelopeLimits#DEFAULT}.
   *
   * @return the cipher
   */
  public static EnvelopeCipher create() {
    return newBuilder().build();
  }

  /**
   * Starts a builder.
   *
   * @return a builder
   */
  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * Returns the limits applied when reading.
   *
   * @return the limits
   */
  public EnvelopeLimits limits() {
    return limits;
  }

  /**
   * Encrypts {@code plaintext} for one recipient.
   *
   * @param plaintext the bytes to protect
   * @param associatedData caller context (may be empty, not null)
   * @param recipient the key that will be able to decrypt
   * @return the binary envelope
   */
  public byte[] encrypt(byte[] plaintext, byte[] associatedData, RecipientKey recipient) {
    return encrypt(plaintext, associatedData, List.of(requireRecipient(recipient)));
  }

  /**
   * Encrypts {@code plaintext} for several recipients; any one of them can decrypt.
   *
   * @param plaintext the bytes to protect
   * @param associatedData caller context (may be empty, not null)
   * @param recipients distinct keys (kind + id), at least one
   * @return the binary envelope
   * @throws IllegalArgumentException for no recipients, duplicates or a result beyond the limits
   */
  public byte[] encrypt(byte[] plaintext, byte[] associatedData, List<RecipientKey> recipients) {
    requireBytes(plaintext, "plaintext");
    requireBytes(associatedData, "associatedData");
    byte[] dataKey = randomBytes(EnvelopeCodec.DATA_KEY_BYTES);
    try {
      return seal(wrapAll(dataKey, recipients), dataKey, plaintext, associatedData);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  /**
   * Decrypts an envelope with one key.
   *
   * @param envelope binary or armored envelope
   * @param associatedData the context given at encryption
   * @param key a recipient key
   * @return the plaintext (caller wipes)
   * @throws EnvelopeException with the reason the envelope was rejected
   */
  public byte[] decrypt(byte[] envelope, byte[] associatedData, RecipientKey key) throws EnvelopeException {
    Opened opened = open(envelope, associatedData, key);
    opened.wipeKey();
    return opened.plaintext;
  }

  /**
   * Re-wraps the existing data key for a new set of recipients; keys not in {@code newRecipients} no longer decrypt the
   * result. The payload is re-sealed with a fresh nonce because the header it authenticates changed.
   *
   * @param envelope binary or armored envelope
   * @param associatedData the context given at encryption (kept)
   * @param current a key that opens {@code envelope}
   * @param newRecipients the complete new recipient list
   * @return the new binary envelope
   * @throws EnvelopeException if {@code current} cannot open {@code envelope}
   */
  public byte[] rekey(byte[] envelope, byte[] associatedData, RecipientKey current, List<RecipientKey> newRecipients)
      throws EnvelopeException {
    Opened opened = open(envelope, associatedData, current);
    try {
      return seal(wrapAll(opened.dataKey, newRecipients), opened.dataKey, opened.plaintext, associatedData);
    } finally {
      opened.wipeAll();
    }
  }

  /**
   * Decrypts and re-encrypts under a fresh random data key for {@code newRecipients}.
   *
   * @param envelope binary or armored envelope
   * @param associatedData the context given at encryption (kept)
   * @param current a key that opens {@code envelope}
   * @param newRecipients the complete new recipient list (may be the same keys)
   * @return the new binary envelope
   * @throws EnvelopeException if {@code current} cannot open {@code envelope}
   */
  public byte[] rotate(byte[] envelope, byte[] associatedData, RecipientKey current, List<RecipientKey> newRecipients)
      throws EnvelopeException {
    Opened opened = open(envelope, associatedData, current);
    try {
      return encrypt(opened.plaintext, associatedData, newRecipients);
    } finally {
      opened.wipeAll();
    }
  }

  /**
   * Parses the header without a key. Nothing returned is authenticated yet.
   *
   * @param envelope binary or armored envelope
   * @return public header facts
   * @throws EnvelopeException if the envelope is malformed, truncated, of another version or beyond the limits
   */
  public EnvelopeInfo inspect(byte[] envelope) throws EnvelopeException {
    Parsed parsed = EnvelopeCodec.parse(binary(envelope), limits);
    List<EnvelopeInfo.Recipient> out = new ArrayList<>();
    for (Recipient r : parsed.recipients()) {
      Optional<Argon2idParameters> kdf =
          r.kind() == RecipientKey.Kind.PASSPHRASE_ARGON2ID
              ? Optional.of(
                  Argon2idParameters.newBuilder()
                      .memoryKiB(r.memoryKiB())
                      .iterations(r.iterations())
                      .parallelism(r.parallelism())
                      .build())
              : Optional.empty();
      out.add(new EnvelopeInfo.Recipient(r.kind(), r.keyId(), kdf));
    }
    return new EnvelopeInfo(EnvelopeCodec.VERSION, out, parsed.payloadLength());
  }

  // ---- package-private machinery (also used by NamedSecretStore and tests) ----

  /** An opened envelope: recipients as stored, the data key and the plaintext. */
  static final class Opened {
    final List<Recipient> recipients;
    final byte[] dataKey;
    final byte[] plaintext;

    Opened(List<Recipient> recipients, byte[] dataKey, byte[] plaintext) {
      this.recipients = recipients;
      this.dataKey = dataKey;
      this.plaintext = plaintext;
    }

    void wipeKey() {
      Arrays.fill(dataKey, (byte) 0);
    }

    void wipeAll() {
      Arrays.fill(dataKey, (byte) 0);
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  Opened open(byte[] envelope, byte[] associatedData, RecipientKey key) throws EnvelopeException {
    requireBytes(envelope, "envelope");
    requireBytes(associatedData, "associatedData");
    requireRecipient(key);
    byte[] body = binary(envelope);
    Parsed parsed = EnvelopeCodec.parse(body, limits);
    byte[] dataKey = null;
    for (Recipient r : parsed.recipients()) {
      if (r.kind() == key.kind() && r.keyId().equals(key.keyId())) {
        dataKey = unwrap(r, key);
        break;
      }
    }
    if (dataKey == null) {
      throw new EnvelopeException(Reason.WRONG_KEY);
    }
    try {
      Cipher cipher = Cipher.getInstance(AES_GCM);
      cipher.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(dataKey, "AES"),
          new GCMParameterSpec(EnvelopeCodec.TAG_BYTES * 8, parsed.nonce()));
      cipher.updateAAD(payloadAad(parsed.header(), associatedData));
      byte[] plaintext = cipher.doFinal(body, parsed.payloadOffset(), parsed.payloadLength());
      return new Opened(parsed.recipients(), dataKey, plaintext);
    } catch (AEADBadTagException e) {
      Arrays.fill(dataKey, (byte) 0);
      throw new EnvelopeException(Reason.TAMPERED);
    } catch (GeneralSecurityException e) {
      Arrays.fill(dataKey, (byte) 0);
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /** Seals a payload under {@code dataKey} with already-wrapped recipients and a fresh nonce. */
  byte[] seal(List<Recipient> recipients, byte[] dataKey, byte[] plaintext, byte[] associatedData) {
    long total = 64L + 96L * recipients.size() + plaintext.length;
    if (total > limits.maxEnvelopeBytes() || recipients.size() > limits.maxRecipients()) {
      throw new IllegalArgumentException(
          "envelope would exceed the limits (" + plaintext.length + " bytes, " + recipients.size() + " recipients)");
    }
    byte[] nonce = randomBytes(EnvelopeCodec.NONCE_BYTES);
    byte[] header = EnvelopeCodec.encodeHeader(recipients, nonce, plaintext.length + EnvelopeCodec.TAG_BYTES);
    try {
      Cipher cipher = Cipher.getInstance(AES_GCM);
      cipher.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(dataKey, "AES"),
          new GCMParameterSpec(EnvelopeCodec.TAG_BYTES * 8, nonce));
      cipher.updateAAD(payloadAad(header, associatedData));
      byte[] out = Arrays.copyOf(header, header.length + plaintext.length + EnvelopeCodec.TAG_BYTES);
      cipher.doFinal(plaintext, 0, plaintext.length, out, header.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  List<Recipient> wrapAll(byte[] dataKey, List<RecipientKey> keys) {
    if (keys == null || keys.isEmpty()) {
      throw new IllegalArgumentException("recipients must not be empty");
    }
    if (keys.size() > limits.maxRecipients()) {
      throw new IllegalArgumentException("recipients must be at most " + limits.maxRecipients() + ", was " + keys.size());
    }
    Set<String> seen = new HashSet<>();
    List<Recipient> out = new ArrayList<>(keys.size());
    for (RecipientKey key : keys) {
      requireRecipient(key);
      if (!seen.add(key.kind() + "/" + key.keyId())) {
        throw new IllegalArgumentException("recipients must be distinct, duplicate key id " + key.keyId());
      }
      out.add(wrap(dataKey, key));
    }
    return out;
  }

  private Recipient wrap(byte[] dataKey, RecipientKey key) {
    byte[] wrapNonce = randomBytes(EnvelopeCodec.NONCE_BYTES);
    Recipient descriptor;
    if (key.kind() == RecipientKey.Kind.RAW_KEY) {
      descriptor = new Recipient(key.kind(), key.keyId(), 0, 0, 0, null, wrapNonce, null);
    } else {
      Argon2idParameters p = key.kdfParameters();
      descriptor =
          new Recipient(
              key.kind(), key.keyId(), p.memoryKiB(), p.iterations(), p.parallelism(),
              randomBytes(EnvelopeCodec.SALT_BYTES), wrapNonce, null);
    }
    byte[] kek = keyEncryptionKey(descriptor, key);
    try {
      Cipher cipher = Cipher.getInstance(AES_GCM);
      cipher.init(
          Cipher.ENCRYPT_MODE, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(EnvelopeCodec.TAG_BYTES * 8, wrapNonce));
      cipher.updateAAD(EnvelopeCodec.wrapAad(descriptor));
      byte[] wrapped = cipher.doFinal(dataKey);
      return new Recipient(
          descriptor.kind(), descriptor.keyId(), descriptor.memoryKiB(), descriptor.iterations(),
          descriptor.parallelism(), descriptor.salt(), wrapNonce, wrapped);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    } finally {
      Arrays.fill(kek, (byte) 0);
    }
  }

  private byte[] unwrap(Recipient r, RecipientKey key) throws EnvelopeException {
    byte[] kek = keyEncryptionKey(r, key);
    try {
      Cipher cipher = Cipher.getInstance(AES_GCM);
      cipher.init(
          Cipher.DECRYPT_MODE, new SecretKeySpec(kek, "AES"),
          new GCMParameterSpec(EnvelopeCodec.TAG_BYTES * 8, r.wrapNonce()));
      cipher.updateAAD(EnvelopeCodec.wrapAad(r));
      return cipher.doFinal(r.wrappedKey());
    } catch (AEADBadTagException e) {
      throw new EnvelopeException(Reason.WRONG_KEY);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    } finally {
      Arrays.fill(kek, (byte) 0);
    }
  }

  private static byte[] keyEncryptionKey(Recipient r, RecipientKey key) {
    byte[] secret = key.secret().toByteArray();
    if (r.kind() == RecipientKey.Kind.RAW_KEY) {
      return secret;
    }
    try {
      return Argon2id.derive(
          secret, r.salt(), r.memoryKiB(), r.iterations(), r.parallelism(), EnvelopeCodec.DATA_KEY_BYTES);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  private static byte[] payloadAad(byte[] header, byte[] associatedData) {
    return ByteBuffer.allocate(header.length + 4 + associatedData.length)
        .put(header)
        .putInt(associatedData.length)
        .put(associatedData)
        .array();
  }

  private byte[] binary(byte[] envelope) throws EnvelopeException {
    return EnvelopeArmor.isArmored(envelope) ? EnvelopeArmor.dearmor(envelope, limits) : envelope;
  }

  byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static void requireBytes(byte[] b, String name) {
    if (b == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
  }

  private static RecipientKey requireRecipient(RecipientKey key) {
    if (key == null) {
      throw new IllegalArgumentException("recipient key must not be null");
    }
    return key;
  }

  /** Builder for {@link EnvelopeCipher}; each option may be set once. */
  public static final class Builder {
    private SecureRandom random;
    private EnvelopeLimits limits;

    private Builder() {}

    /**
     * Sets the randomness for data keys, nonces and salts.
     *
     * @param random a cryptographically secure generator
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder secureRandom(SecureRandom random) {
      if (random == null) {
        throw new IllegalArgumentException("secureRandom must not be null");
      }
      if (this.random != null) {
        throw new IllegalStateException("secureRandom was already set");
      }
      this.random = random;
      return this;
    }

    /**
     * Sets the bounds applied when reading envelopes.
     *
     * @param limits the limits
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder limits(EnvelopeLimits limits) {
      if (limits == null) {
        throw new IllegalArgumentException("limits must not be null");
      }
      if (this.limits != null) {
        throw new IllegalStateException("limits was already set to " + this.limits);
      }
      this.limits = limits;
      return this;
    }

    /**
     * Builds the cipher.
     *
     * @return the cipher
     */
    public EnvelopeCipher build() {
      return new EnvelopeCipher(
          random != null ? random : new SecureRandom(), limits != null ? limits : EnvelopeLimits.DEFAULT);
    }
  }
}
