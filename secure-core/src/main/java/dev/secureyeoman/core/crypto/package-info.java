/**
 * Envelope encryption: AES-256-GCM with a random data key wrapped per recipient, keys from explicit sources.
 *
 * <h2>Which type to use</h2>
 *
 * <ul>
 *   <li>{@link dev.secureyeoman.core.crypto.SecretStore}: encrypt/decrypt small secrets with associated data, Tink-style.
 *       From a raw 32-byte key: {@code SecretStore store = SecretStores.withKey(secretBytes);} then
 *       {@code store.encrypt(totpSecret, ("totp-secret:v1:" + userId).getBytes(UTF_8))}.
 *   <li>{@link dev.secureyeoman.core.crypto.EnvelopeCipher}: the full envelope API — several recipients,
 *       {@code rekey} (re-wrap the data key for a new recipient list), {@code rotate} (new data key), {@code inspect}.
 *   <li>{@link dev.secureyeoman.core.crypto.RecipientKey}: a raw 256-bit key or a passphrase (Argon2id, cost in
 *       {@link dev.secureyeoman.core.crypto.Argon2idParameters}).
 *   <li>{@link dev.secureyeoman.core.crypto.KeySource}: where a key comes from — environment variable or file, chosen
 *       explicitly by the host. Library code never reads the environment by itself.
 *   <li>{@link dev.secureyeoman.core.crypto.NamedSecretStore}: get/put/delete/list named secrets in one encrypted file.
 *   <li>{@link dev.secureyeoman.core.crypto.EnvelopeArmor}: the text form used by {@code *.enc.yaml} files.
 * </ul>
 *
 * <h2>Security guarantees</h2>
 *
 * The whole header (magic, version, recipients with their KDF parameters and wrapped keys, nonce, payload length) is
 * associated data of the payload, followed by the caller's associated data, so no header byte can change undetected.
 * Sizes and Argon2id costs read from an envelope are bounded by {@link dev.secureyeoman.core.crypto.EnvelopeLimits}
 * before anything is allocated. Failures carry a coarse {@link dev.secureyeoman.core.crypto.EnvelopeException.Reason}
 * (malformed, unsupported version, truncated, too large, KDF cost too high, wrong key, tampered) and fixed messages.
 * The byte layout is specified in {@code docs/config.md}.
 *
 * <h2>Non-goals</h2>
 *
 * No streaming of large payloads (envelopes are bounded, 16 MiB by default), no hiding of lengths or key ids, no
 * protection against replacing a file with an older envelope under the same key.
 */
@NullMarked
package dev.secureyeoman.core.crypto;

import org.jspecify.annotations.NullMarked;
