package dev.secureyeoman.core.crypto;

/**
 * Authenticated encryption of small secrets into self-describing envelopes (AES-256-GCM, a fresh random data key per
 * message), in the spirit of Tink's {@code Aead}: two methods, associated data in both.
 *
 * <p><b>Security guarantees.</b> Confidentiality and integrity of the plaintext; integrity of the whole envelope header
 * (format version, recipients, KDF parameters) and of {@code associatedData}, which must be presented again, byte for
 * byte, to decrypt. Bind secrets to their context with it, for example {@code "totp-secret:v1:" + userId}, so that an
 * envelope copied to another record does not decrypt there.
 *
 * <p><b>Non-goals.</b> Associated data is not encrypted and not stored in the envelope. Envelopes do not hide the
 * plaintext length or the recipients' key ids. No replay protection: an old envelope stays valid under the same key.
 *
 * <p>Implementations are thread-safe.
 */
public interface SecretStore {

  /**
   * Encrypts {@code plaintext}.
   *
   * @param plaintext the bytes to protect (not modified)
   * @param associatedData context bound to the envelope; empty array for none, never null
   * @return a binary envelope
   */
  byte[] encrypt(byte[] plaintext, byte[] associatedData);

  /**
   * Decrypts an envelope produced by {@link #encrypt(byte[], byte[])} (binary or armored form).
   *
   * @param envelope the envelope
   * @param associatedData the same context as at encryption
   * @return the plaintext; the caller should wipe it after use
   * @throws EnvelopeException with a coarse {@link EnvelopeException.Reason} when the envelope is malformed, truncated,
   *     of another version, too costly, for another key, or modified
   */
  byte[] decrypt(byte[] envelope, byte[] associatedData) throws EnvelopeException;
}
