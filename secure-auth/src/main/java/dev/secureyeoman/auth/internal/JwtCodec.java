package dev.secureyeoman.auth.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.secureyeoman.core.SecretBytes;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Issues and verifies access tokens: strict compact serialization (three non-empty base64url parts, nothing else, at
 * most {@link #MAX_TOKEN_LENGTH} chars), HS256 only (the allowlist), {@code kid} required and known, {@code typ:
 * at+jwt}, issuer checked, expiry checked against the given time (no skew). Keys are managed by {@link SigningKeys}.
 */
final class JwtCodec {
  static final JOSEObjectType TYPE = new JOSEObjectType("at+jwt");
  static final int MAX_TOKEN_LENGTH = 8192;

  /** Why a token was rejected (for logs; the caller only ever sees "invalid token"). */
  enum Reason {
    MALFORMED,
    ALGORITHM_NOT_ALLOWED,
    WRONG_TYPE,
    UNKNOWN_KEY_ID,
    RETIRED_KEY_ID,
    BAD_SIGNATURE,
    BAD_CLAIMS,
    EXPIRED
  }

  /** A rejection with its reason; no stack trace (it is an expected outcome). */
  static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;
    private final Reason reason;
    private final @Nullable String kid;

    Rejected(Reason reason) {
      this(reason, null);
    }

    Rejected(Reason reason, @Nullable String kid) {
      super(reason.name().toLowerCase(java.util.Locale.ROOT), null, false, false);
      this.reason = reason;
      this.kid = kid;
    }

    Reason reason() {
      return reason;
    }

    /** The key id of an {@link Reason#UNKNOWN_KEY_ID} rejection. */
    @Nullable String kid() {
      return kid;
    }
  }

  /** The verified claims the service needs. */
  record Claims(
      String userId, String username, Set<String> roles, String sessionId, long tokenVersion, Instant expiresAt) {}

  private record Key(MACSigner signer, MACVerifier verifier) {}

  private final String issuer;
  private final Map<String, Key> keys = new ConcurrentHashMap<>();
  private final Map<String, Instant> retiresAt = new ConcurrentHashMap<>();

  JwtCodec(String issuer) {
    this.issuer = issuer;
  }

  /** Adds a key (idempotent). */
  void put(String kid, SecretBytes key) {
    // nimbus keeps a reference to the array it is given (no copy): give each object its own copy and never wipe it
    try {
      keys.putIfAbsent(kid, new Key(new MACSigner(key.toByteArray()), new MACVerifier(key.toByteArray())));
    } catch (JOSEException e) {
      throw new IllegalStateException("HS256 key rejected", e);
    }
  }

  boolean has(String kid) {
    return keys.containsKey(kid);
  }

  /** After {@code when}, tokens signed with {@code kid} are rejected (they have all expired by then). */
  void retireAt(String kid, Instant when) {
    retiresAt.put(kid, when);
  }

  /** Signs with a known key; {@code c.expiresAt()} must be whole seconds (the {@code exp} claim's precision). */
  String issue(String kid, Claims c, Instant issuedAt, String jti) {
    Key k = keys.get(kid);
    if (k == null) {
      throw new IllegalStateException("signing key " + kid + " is not loaded");
    }
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .subject(c.userId())
            .claim("name", c.username())
            .claim("roles", List.copyOf(c.roles()))
            .claim("sid", c.sessionId())
            .claim("tv", c.tokenVersion())
            .issueTime(Date.from(issuedAt))
            .expirationTime(Date.from(c.expiresAt()))
            .jwtID(jti)
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(TYPE).keyID(kid).build(), claims);
    try {
      jwt.sign(k.signer());
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed", e);
    }
    return jwt.serialize();
  }

  /** Whether {@code token} is exactly {@code b64url.b64url.b64url} (no whitespace, padding or empty part). */
  static boolean isCompact(String token) {
    int dots = 0;
    int partLength = 0;
    for (int i = 0; i < token.length(); i++) {
      char ch = token.charAt(i);
      if (ch == '.') {
        if (partLength == 0) {
          return false;
        }
        dots++;
        partLength = 0;
      } else if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'
          || ch == '_') {
        partLength++;
      } else {
        return false;
      }
    }
    return dots == 2 && partLength > 0;
  }

  Claims verify(String token, Instant now) throws Rejected {
    if (token == null || token.length() > MAX_TOKEN_LENGTH || !isCompact(token)) {
      throw new Rejected(Reason.MALFORMED);
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      throw new Rejected(Reason.MALFORMED);
    }
    JWSHeader h = jwt.getHeader();
    if (!JWSAlgorithm.HS256.equals(h.getAlgorithm())) {
      throw new Rejected(Reason.ALGORITHM_NOT_ALLOWED);
    }
    if (!TYPE.equals(h.getType())) {
      throw new Rejected(Reason.WRONG_TYPE);
    }
    String kid = h.getKeyID();
    Key k = kid == null ? null : keys.get(kid);
    if (k == null) {
      throw new Rejected(Reason.UNKNOWN_KEY_ID, kid);
    }
    Instant retired = retiresAt.get(kid);
    if (retired != null && !now.isBefore(retired)) {
      throw new Rejected(Reason.RETIRED_KEY_ID);
    }
    try {
      if (!jwt.verify(k.verifier())) {
        throw new Rejected(Reason.BAD_SIGNATURE);
      }
    } catch (JOSEException e) {
      throw new Rejected(Reason.BAD_SIGNATURE);
    }
    try {
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      Date exp = c.getExpirationTime();
      if (!issuer.equals(c.getIssuer()) || exp == null || c.getSubject() == null) {
        throw new Rejected(Reason.BAD_CLAIMS);
      }
      if (!now.isBefore(exp.toInstant())) {
        throw new Rejected(Reason.EXPIRED);
      }
      String sid = c.getStringClaim("sid");
      Long tv = c.getLongClaim("tv");
      String name = c.getStringClaim("name");
      List<String> roles = Optional.ofNullable(c.getStringListClaim("roles")).orElse(List.of());
      if (sid == null || tv == null || name == null) {
        throw new Rejected(Reason.BAD_CLAIMS);
      }
      return new Claims(c.getSubject(), name, Set.copyOf(roles), sid, tv, exp.toInstant());
    } catch (ParseException | RuntimeException e) {
      throw new Rejected(Reason.BAD_CLAIMS);
    }
  }
}
