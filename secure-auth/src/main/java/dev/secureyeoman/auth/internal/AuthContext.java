package dev.secureyeoman.auth.internal;

import dev.secureyeoman.auth.AuthSettings;
import dev.secureyeoman.auth.PasswordHasher;
import java.time.Clock;

/**
 * What the internal components of the service share: the database, the audit trail, settings, time, randomness, the
 * password hasher, the login throttle, the revocation state and the signing keys.
 */
record AuthContext(
    AuthDatabase db,
    AuditTrail audit,
    AuthSettings settings,
    Clock clock,
    Ids ids,
    Keys keys,
    PasswordHasher hasher,
    LoginThrottle loginThrottle,
    Revocations revocations,
    SigningKeys signingKeys) {}
