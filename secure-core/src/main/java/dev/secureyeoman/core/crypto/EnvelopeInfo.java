package dev.secureyeoman.core.crypto;

import java.util.List;
import java.util.Optional;

/**
 * Public facts of an envelope header, readable without a key (nothing here is secret and nothing is authenticated
 * until the envelope is decrypted).
 *
 * @param version format version
 * @param recipients the recipients in header order
 * @param payloadLength ciphertext length including the 16-byte tag
 */
public record EnvelopeInfo(int version, List<Recipient> recipients, int payloadLength) {

  /**
   * Creates the value.
   *
   * @param version format version
   * @param recipients the recipients in header order
   * @param payloadLength ciphertext length including the 16-byte tag
   */
  public EnvelopeInfo {
    recipients = List.copyOf(recipients);
  }

  /**
   * One recipient.
   *
   * @param kind raw key or passphrase
   * @param keyId the public key id
   * @param kdfParameters the Argon2id cost for passphrase recipients
   */
  public record Recipient(RecipientKey.Kind kind, String keyId, Optional<Argon2idParameters> kdfParameters) {}
}
