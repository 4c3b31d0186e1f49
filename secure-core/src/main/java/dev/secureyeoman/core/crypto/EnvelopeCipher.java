package dev.secureyeoman.core.crypto;

import dev.secureyeoman.core.crypto.EnvelopeCodec.Parsed;
import dev.secureyeoman.core.crypto.EnvelopeCodec.Recipient;
import dev.secureyeoman.core.crypto.EnvelopeException.Reason;
import dev.secureyeoman.core.internal.Argon2id;
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
 * <p>Operations: {@link #encrypt}, {@link #decrypt}, {@link #rekey} (new set of recipients; the data key is kept only
 * when recipients are added, and replaced as soon as one is removed or replaced), {@link #rotate} (always a new data
 * key), {@link #inspect}. Envelopes can be passed in binary or {@linkplain EnvelopeArmor armored} form; results are
 * binary.
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

  /**
   * One AES-GCM {@link Cipher} per thread: provider lookup costs about as much as sealing a small payload. Every use
   * calls {@code init} with a fresh key and nonce first, which resets any state left by an earlier failure.
   */
  private static final ThreadLocal<Cipher> AES_GCM_CIPHER =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Cipher.getInstance(AES_GCM);
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("AES-GCM unavailable", e);
            }
          });

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
    return builder().build();
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
    // one draw for the data key and the payload nonce
    byte[] fresh = randomBytes(EnvelopeCodec.DATA_KEY_BYTES + EnvelopeCodec.NONCE_BYTES);
    byte[] dataKey = Arrays.copyOf(fresh, EnvelopeCodec.DATA_KEY_BYTES);
    byte[] nonce = Arrays.copyOfRange(fresh, EnvelopeCodec.DATA_KEY_BYTES, fresh.length);
    Arrays.fill(fresh, (byte) 0);
    try {
      return seal(wrapAll(dataKey, recipients), dataKey, plaintext, associatedData, nonce);
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
   * Changes the recipients. When {@code newRecipients} only <em>adds</em> keys to the current ones, the existing data key
   * is re-wrapped for the new list (cheap, and copies held by the old recipients stay equivalent). As soon as a current
   * recipient is removed or replaced — or cannot be proven unchanged (a passphrase or an explicitly named raw key other
   * than {@code current}) — the payload is re-encrypted under a fresh data key, like {@link #rotate}: a removed
   * recipient who kept an old copy (and so knows the old data key) cannot read the result.
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
      if (!keepsEveryRecipient(opened.recipients, current, newRecipients)) {
        return encrypt(opened.plaintext, associatedData, newRecipients);
      }
      return seal(wrapAll(opened.dataKey, newRecipients), opened.dataKey, opened.plaintext, associatedData);
    } finally {
      opened.wipeAll();
    }
  }

  /**
   * Whether every recipient of the envelope provably stays in {@code next} with the same key: raw keys whose id is
   * derived from the key are identified by their id; any other recipient only when it is {@code current} itself.
   */
  static boolean keepsEveryRecipient(List<Recipient> stored, RecipientKey current, List<RecipientKey> next) {
    if (next == null) {
      return false;
    }
    for (Recipient r : stored) {
      boolean kept = false;
      for (RecipientKey k : next) {
        if (k == null || k.kind() != r.kind() || !k.keyId().equals(r.keyId())) {
          continue;
        }
        boolean sameAsCurrent =
            current.kind() == k.kind() && current.keyId().equals(k.keyId())
                && current.secret().constantTimeEquals(k.secret());
        kept = (k.kind() == RecipientKey.Kind.RAW_KEY && k.hasDerivedId()) || sameAsCurrent;
        break;
      }
      if (!kept) {
        return false;
      }
    }
    return true;
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
                  Argon2idParameters.builder()
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
    Recipient match = null;
    for (Recipient r : parsed.recipients()) {
      if (r.kind() == key.kind() && r.keyId().equals(key.keyId())) {
        match = r;
        break;
      }
    }
    if (match == null) {
      if (keyIdEdited(parsed.recipients(), key)) {
        throw new EnvelopeException(Reason.TAMPERED, "a recipient's key id was modified");
      }
      throw new EnvelopeException(Reason.WRONG_KEY);
    }
    byte[] dataKey = unwrap(match, key);
    if (dataKey == null) {
      if (key.kind() == RecipientKey.Kind.RAW_KEY && key.hasDerivedId()) {
        // the id is an HMAC of this very key: the recipient entry was made for it, so the entry was modified
        throw new EnvelopeException(Reason.TAMPERED, "the recipient entry for this key was modified");
      }
      if (key.kind() == RecipientKey.Kind.PASSPHRASE_ARGON2ID && kdfParametersEdited(match, key)) {
        throw new EnvelopeException(Reason.TAMPERED, "the key-derivation parameters were modified");
      }
      throw new EnvelopeException(Reason.WRONG_KEY);
    }
    try {
      Cipher cipher = AES_GCM_CIPHER.get();
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
    return seal(recipients, dataKey, plaintext, associatedData, randomBytes(EnvelopeCodec.NONCE_BYTES));
  }

  private byte[] seal(
      List<Recipient> recipients, byte[] dataKey, byte[] plaintext, byte[] associatedData, byte[] nonce) {
    long total = 64L + 96L * recipients.size() + plaintext.length;
    if (total > limits.maxEnvelopeBytes() || recipients.size() > limits.maxRecipients()) {
      throw new IllegalArgumentException(
          "envelope would exceed the limits (" + plaintext.length + " bytes, " + recipients.size() + " recipients)");
    }
    byte[] header = EnvelopeCodec.encodeHeader(recipients, nonce, plaintext.length + EnvelopeCodec.TAG_BYTES);
    try {
      Cipher cipher = AES_GCM_CIPHER.get();
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
    for (RecipientKey key : keys) {
      requireRecipient(key);
      if (!seen.add(key.kind() + "/" + key.keyId())) {
        throw new IllegalArgumentException("recipients must be distinct, duplicate key id " + key.keyId());
      }
    }
    byte[] nonces = randomBytes(EnvelopeCodec.NONCE_BYTES * keys.size());
    List<Recipient> out = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      byte[] wrapNonce =
          Arrays.copyOfRange(nonces, i * EnvelopeCodec.NONCE_BYTES, (i + 1) * EnvelopeCodec.NONCE_BYTES);
      out.add(wrap(dataKey, keys.get(i), wrapNonce));
    }
    return out;
  }

  private Recipient wrap(byte[] dataKey, RecipientKey key, byte[] wrapNonce) {
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
      Cipher cipher = AES_GCM_CIPHER.get();
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

  /** Unwraps the data key, or returns null when the tag does not verify (wrong key or modified entry). */
  private byte[] unwrap(Recipient r, RecipientKey key) {
    byte[] kek = keyEncryptionKey(r, key);
    try {
      Cipher cipher = AES_GCM_CIPHER.get();
      cipher.init(
          Cipher.DECRYPT_MODE, new SecretKeySpec(kek, "AES"),
          new GCMParameterSpec(EnvelopeCodec.TAG_BYTES * 8, r.wrapNonce()));
      cipher.updateAAD(EnvelopeCodec.wrapAad(r));
      return cipher.doFinal(r.wrappedKey());
    } catch (AEADBadTagException e) {
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    } finally {
      Arrays.fill(kek, (byte) 0);
    }
  }

  /** Whether {@code r}, re-described with {@code id} and the given cost, unwraps under {@code key}. */
  private boolean unwrapsAs(Recipient r, RecipientKey key, String id, int memory, int iterations, int parallelism) {
    Recipient candidate =
        new Recipient(r.kind(), id, memory, iterations, parallelism, r.salt(), r.wrapNonce(), r.wrappedKey());
    byte[] dataKey = unwrap(candidate, key);
    if (dataKey == null) {
      return false;
    }
    Arrays.fill(dataKey, (byte) 0);
    return true;
  }

  /**
   * No recipient carries the key's id: was an id edited? Raw recipients are tried with the key's own id in the
   * key-wrap associated data (one AES operation each); a passphrase is tried only against a sole passphrase recipient,
   * so an attacker cannot make a failing decryption run more than one extra key derivation.
   */
  private boolean keyIdEdited(List<Recipient> recipients, RecipientKey key) {
    List<Recipient> sameKind = new ArrayList<>();
    for (Recipient r : recipients) {
      if (r.kind() == key.kind()) {
        sameKind.add(r);
      }
    }
    if (key.kind() == RecipientKey.Kind.PASSPHRASE_ARGON2ID && sameKind.size() != 1) {
      return false;
    }
    for (Recipient r : sameKind) {
      if (unwrapsAs(r, key, key.keyId(), r.memoryKiB(), r.iterations(), r.parallelism())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The passphrase did not unwrap its recipient: when the stored cost is not one this library writes by default, try
   * the presets (and the key's own cost) with the stored salt — if one of them unwraps, the stored cost was edited.
   * At most three extra derivations, each within {@link EnvelopeLimits}, and only on this failure path.
   */
  private boolean kdfParametersEdited(Recipient r, RecipientKey key) {
    List<Argon2idParameters> candidates = new ArrayList<>();
    for (Argon2idParameters p :
        List.of(key.kdfParameters(), Argon2idParameters.DEFAULT, Argon2idParameters.MINIMUM)) {
      boolean stored =
          p.memoryKiB() == r.memoryKiB() && p.iterations() == r.iterations() && p.parallelism() == r.parallelism();
      if (stored) {
        return false; // the stored cost is a preset: nothing suggests it was edited
      }
      if (!candidates.contains(p)
          && p.memoryKiB() <= limits.maxArgon2MemoryKiB()
          && p.iterations() <= limits.maxArgon2Iterations()
          && p.parallelism() <= limits.maxArgon2Parallelism()) {
        candidates.add(p);
      }
    }
    for (Argon2idParameters p : candidates) {
      if (unwrapsAs(r, key, r.keyId(), p.memoryKiB(), p.iterations(), p.parallelism())) {
        return true;
      }
    }
    return false;
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
