package dev.secureyeoman.audit.internal;

import javax.crypto.Mac;
import org.jspecify.annotations.Nullable;

/**
 * The MAC keys of one store, as its implementation sees them. Instances come only from
 * {@code AuditKeyring}'s package-private accessor, which {@code SqliteAuditStore} calls when it opens a store: no
 * public method turns an {@code AuditKeyring} into a keyed MAC, so code that can reach a keyring (or this package on
 * the class path) still has no MAC oracle. Implementing this interface yourself gives you only your own keys.
 */
public interface MacKeys {
  /**
   * A fresh HMAC-SHA256 keyed with one epoch.
   *
   * @param keyId the key id
   * @return an initialised Mac, or null when the ring lacks the id
   */
  @Nullable Mac mac(int keyId);

  /**
   * The id of the key that authenticates new entries.
   *
   * @return the active key id
   */
  int activeKeyId();
}
