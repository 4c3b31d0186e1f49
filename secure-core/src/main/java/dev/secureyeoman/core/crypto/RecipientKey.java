package dev.secureyeoman.core.crypto;

import dev.secureyeoman.core.SecretBytes;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * A key that can open (and be a recipient of) an envelope: either a raw 256-bit key or a passphrase stretched with
 * Argon2id. Each recipient in an envelope stores the key's public {@link #keyId()}; decryption tries only the recipients
 * whose kind and id match, so a wrong key fails fast and a passphrase never triggers more than one KDF run per match.
 *
 * <p>Holds a private copy of the secret; {@link #close()} wipes it. {@link #toString()} shows kind and id only.
 */
public final class RecipientKey implements AutoCloseable {

  /** The two kinds of recipient. */
  public enum Kind {
    /** A raw 256-bit AES key wraps the data key directly. */
    RAW_KEY(1),
    /** A passphrase is stretched with Argon2id into the wrapping key. */
    PASSPHRASE_ARGON2ID(2);

    final int code;

    Kind(int code) {
      this.code = code;
    }
  }

  /** Length of a raw key in bytes. */
  public static final int RAW_KEY_BYTES = 32;

  /**
   * Shortest passphrase accepted, in Unicode code points. Passphrases protect files an attacker can copy and attack
   * offline; Argon2id slows each guess but cannot save a one-word secret.
   */
  public static final int MIN_PASSPHRASE_CHARS = 12;

  /** Key id used for passphrase recipients unless another is given. */
  public static final String DEFAULT_PASSPHRASE_ID = "passphrase";

  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,64}");

  private final Kind kind;
  private final String keyId;
  private final SecretBytes secret;
  private final @Nullable Argon2idParameters kdfParameters;
  private final boolean derivedId;

  private RecipientKey(
      Kind kind, String keyId, SecretBytes secret, @Nullable Argon2idParameters kdfParameters, boolean derivedId) {
    this.kind = kind;
    this.keyId = keyId;
    this.secret = secret;
    this.kdfParameters = kdfParameters;
    this.derivedId = derivedId;
  }

  /**
   * A raw 256-bit key whose id is derived from the key (an HMAC of a fixed label, so the id reveals nothing usable).
   *
   * @param key exactly 32 bytes; copied
   * @return the recipient key
   * @throws IllegalArgumentException if the key is not 32 bytes
   */
  public static RecipientKey raw(SecretBytes key) {
    checkRawLength(key);
    byte[] bytes = key.toByteArray();
    try {
      return new RecipientKey(Kind.RAW_KEY, deriveKeyId(bytes), SecretBytes.adopt(bytes), null, true);
    } catch (RuntimeException e) {
      Arrays.fill(bytes, (byte) 0);
      throw e;
    }
  }

  /**
   * A raw 256-bit key with an explicit id (for example the name of the KMS key or file it came from).
   *
   * @param keyId 1–64 characters of {@code [A-Za-z0-9._:@-]}
   * @param key exactly 32 bytes; copied
   * @return the recipient key
   * @throws IllegalArgumentException if the id is invalid or the key is not 32 bytes
   */
  public static RecipientKey raw(String keyId, SecretBytes key) {
    checkKeyId(keyId);
    checkRawLength(key);
    byte[] bytes = key.toByteArray();
    boolean derived = keyId.equals(deriveKeyId(bytes));
    return new RecipientKey(Kind.RAW_KEY, keyId, SecretBytes.adopt(bytes), null, derived);
  }

  /**
   * A passphrase with id {@value #DEFAULT_PASSPHRASE_ID} and {@link Argon2idParameters#DEFAULT} cost.
   *
   * @param passphrase at least {@value #MIN_PASSPHRASE_CHARS} characters; copied (as UTF-8), the caller should wipe its
   *     array
   * @return the recipient key
   * @throws IllegalArgumentException if the passphrase is shorter than {@value #MIN_PASSPHRASE_CHARS} characters
   */
  public static RecipientKey passphrase(char[] passphrase) {
    return passphrase(DEFAULT_PASSPHRASE_ID, passphrase, Argon2idParameters.DEFAULT);
  }

  /**
   * A passphrase with an explicit id and cost (the cost is used when this key becomes a recipient; on decryption the
   * cost stored in the envelope is used, within {@link EnvelopeLimits}).
   *
   * @param keyId 1–64 characters of {@code [A-Za-z0-9._:@-]}
   * @param passphrase at least {@value #MIN_PASSPHRASE_CHARS} characters; copied (as UTF-8), the caller should wipe its
   *     array
   * @param parameters Argon2id cost for new recipients
   * @return the recipient key
   * @throws IllegalArgumentException if the id is invalid or the passphrase is shorter than
   *     {@value #MIN_PASSPHRASE_CHARS} characters
   */
  public static RecipientKey passphrase(String keyId, char[] passphrase, Argon2idParameters parameters) {
    checkKeyId(keyId);
    if (passphrase == null || passphrase.length == 0) {
      throw new IllegalArgumentException("passphrase must not be empty");
    }
    if (Character.codePointCount(passphrase, 0, passphrase.length) < MIN_PASSPHRASE_CHARS) {
      throw new IllegalArgumentException("passphrase must be at least " + MIN_PASSPHRASE_CHARS + " characters");
    }
    if (parameters == null) {
      throw new IllegalArgumentException("parameters must not be null");
    }
    ByteBuffer encoded;
    try {
      encoded =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(passphrase));
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("passphrase is not valid UTF-16 text", e);
    }
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    if (encoded.hasArray()) {
      Arrays.fill(encoded.array(), (byte) 0);
    }
    return new RecipientKey(Kind.PASSPHRASE_ARGON2ID, keyId, SecretBytes.adopt(bytes), parameters, false);
  }

  /**
   * Returns the kind.
   *
   * @return raw key or passphrase
   */
  public Kind kind() {
    return kind;
  }

  /**
   * Returns the public key id stored in envelopes.
   *
   * @return the id
   */
  public String keyId() {
    return keyId;
  }

  /**
   * Returns the Argon2id cost used when this passphrase becomes a recipient.
   *
   * @return the parameters, or null for a raw key
   */
  public @Nullable Argon2idParameters kdfParameters() {
    return kdfParameters;
  }

  /** Package-private: the secret bytes (raw key or UTF-8 passphrase). */
  SecretBytes secret() {
    return secret;
  }

  /**
   * Package-private: whether the id was derived from the key itself (so a recipient with this id was made for this very
   * key, and a failed unwrap means the entry was modified rather than that the key is wrong).
   */
  boolean hasDerivedId() {
    return derivedId;
  }

  /** Package-private: an independent copy (for holders that outlive the caller's key). */
  RecipientKey copy() {
    return new RecipientKey(kind, keyId, SecretBytes.adopt(secret.toByteArray()), kdfParameters, derivedId);
  }

  /** Wipes the secret. Idempotent. */
  @Override
  public void close() {
    secret.close();
  }

  @Override
  public String toString() {
    return "RecipientKey[" + kind + ", id=" + keyId + ", ██]";
  }

  static boolean isValidKeyId(String keyId) {
    return keyId != null && KEY_ID.matcher(keyId).matches();
  }

  private static void checkKeyId(String keyId) {
    if (!isValidKeyId(keyId)) {
      throw new IllegalArgumentException("keyId must be 1-64 characters of [A-Za-z0-9._:@-]");
    }
  }

  private static void checkRawLength(SecretBytes key) {
    if (key == null) {
      throw new IllegalArgumentException("key must not be null");
    }
    if (key.length() != RAW_KEY_BYTES) {
      throw new IllegalArgumentException("key must be 32 bytes (256 bits), was " + key.length() + " bytes");
    }
  }

  private static String deriveKeyId(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] tag = mac.doFinal("secureyeoman/key-id/v1".getBytes(StandardCharsets.US_ASCII));
      return "k-" + HexFormat.of().formatHex(tag, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
