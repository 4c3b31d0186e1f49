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

/**
 * Issues and verifies access tokens: HS256 only (the allowlist), {@code kid} required and known, {@code typ: at+jwt},
 * issuer checked, expiry checked against the injected clock (no skew). Keys come from the {@link SigningKeyRing}.
 */
final class JwtCodec {
  static final JOSEObjectType TYPE = new JOSEObjectType("at+jwt");
  static final int MAX_TOKEN_LENGTH = 8192;

  private final String issuer;
  private final Map<String, MACVerifier> verifiers = new ConcurrentHashMap<>();
  private final Map<String, Instant> retiresAt = new ConcurrentHashMap<>();
  private volatile Signer current;

  private record Signer(String kid, MACSigner signer) {}

  /** The verified claims the service needs. */
  record Claims(
      String userId,
      String username,
      Set<String> roles,
      String sessionId,
      long tokenVersion,
      Instant expiresAt) {}

  /** Why a token was rejected (for the audit log; the caller only ever sees "invalid token"). */
  static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    Rejected(String reason) {
      super(reason, null, false, false);
    }
  }

  JwtCodec(String issuer) {
    this.issuer = issuer;
  }

  /** Adds a verification key; the last one added with {@code current = true} signs. */
  void addKey(String kid, SecretBytes key, boolean makeCurrent) {
    // nimbus keeps a reference to the array it is given (no copy): give each object its own copy and never wipe it
    try {
      verifiers.put(kid, new MACVerifier(key.toByteArray()));
      if (makeCurrent) {
        current = new Signer(kid, new MACSigner(key.toByteArray()));
      }
    } catch (JOSEException e) {
      throw new IllegalStateException("HS256 key rejected", e);
    }
  }

  /** After {@code when}, tokens signed with {@code kid} are rejected (they have all expired by then). */
  void retireAt(String kid, Instant when) {
    retiresAt.put(kid, when);
  }

  String currentKid() {
    return current.kid();
  }

  String issue(Claims c, Instant issuedAt, String jti) {
    Signer s = current;
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
    SignedJWT jwt =
        new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(TYPE).keyID(s.kid()).build(), claims);
    try {
      jwt.sign(s.signer());
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed", e);
    }
    return jwt.serialize();
  }

  Claims verify(String token, Instant now) throws Rejected {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
      throw new Rejected("malformed");
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      throw new Rejected("malformed");
    }
    JWSHeader h = jwt.getHeader();
    if (!JWSAlgorithm.HS256.equals(h.getAlgorithm())) {
      throw new Rejected("algorithm not allowed");
    }
    if (!TYPE.equals(h.getType())) {
      throw new Rejected("wrong type");
    }
    String kid = h.getKeyID();
    MACVerifier v = kid == null ? null : verifiers.get(kid);
    if (v == null) {
      throw new Rejected("unknown key id");
    }
    Instant retired = retiresAt.get(kid);
    if (retired != null && !now.isBefore(retired)) {
      throw new Rejected("retired key id");
    }
    try {
      if (!jwt.verify(v)) {
        throw new Rejected("bad signature");
      }
    } catch (JOSEException e) {
      throw new Rejected("bad signature");
    }
    try {
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      Date exp = c.getExpirationTime();
      if (!issuer.equals(c.getIssuer()) || exp == null || c.getSubject() == null) {
        throw new Rejected("missing or wrong claims");
      }
      if (!now.isBefore(exp.toInstant())) {
        throw new Rejected("expired");
      }
      String sid = c.getStringClaim("sid");
      Long tv = c.getLongClaim("tv");
      String name = c.getStringClaim("name");
      List<String> roles = Optional.ofNullable(c.getStringListClaim("roles")).orElse(List.of());
      if (sid == null || tv == null || name == null) {
        throw new Rejected("missing or wrong claims");
      }
      return new Claims(c.getSubject(), name, Set.copyOf(roles), sid, tv, exp.toInstant());
    } catch (ParseException e) {
      throw new Rejected("missing or wrong claims");
    }
  }
}
