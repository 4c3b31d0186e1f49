package dev.secureyeoman.auth.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.secureyeoman.auth.PasswordHashParameters;
import dev.secureyeoman.auth.totp.Base32;
import dev.secureyeoman.auth.totp.OtpAuthUri;
import dev.secureyeoman.core.SecretBytes;
import java.text.ParseException;
import java.time.Instant;

/**
 * Jazzer fuzz targets of every parser in secure-auth — PHC strings, access tokens (JWT), {@code otpauth://} URIs, Base32,
 * recovery codes, client addresses and audit text — each with an asserted property. Committed seed corpora live under
 * {@code src/test/resources/dev/secureyeoman/auth/internal/AuthParsersFuzzTestInputs/<method>/} (raw text, one input per
 * file); {@link AuthParsersSeedsTest} runs every seed through the same properties without Jazzer and checks that the
 * seeds reach the interesting branches (a valid token is accepted, a valid URI parses).
 *
 * <p>Regression mode runs in every build; fuzz one target with {@code ./mvnw -Pfuzz -pl secure-auth test
 * -Dtest='AuthParsersFuzzTest#jwtVerify_acceptsOnlyWellSignedTokens'}.
 */
class AuthParsersFuzzTest {
  /** The fuzz key: 32 zero bytes under kid {@code k1}; seeds signed with it are accepted at {@link #NOW}. */
  static final byte[] KEY = new byte[32];

  static final String KID = "k1";
  static final Instant NOW = Instant.EPOCH;
  static final JwtCodec JWT = new JwtCodec("secureyeoman");

  static {
    JWT.put(KID, SecretBytes.copyOf(KEY));
  }

  @FuzzTest(maxDuration = "30s")
  void phcParse_neverThrows_andBoundsHold(@NotNull String s) {
    phcProperty(s);
  }

  static boolean phcProperty(String s) {
    return Argon2idPasswordHasher.Phc.parse(s)
        .map(
            p -> {
              assertTrue(p.memoryKiB() <= PasswordHashParameters.MAX_MEMORY_KIB);
              assertTrue(p.memoryKiB() >= 8 * p.parallelism());
              assertTrue(p.iterations() >= 1 && p.iterations() <= PasswordHashParameters.MAX_ITERATIONS);
              assertTrue(p.parallelism() >= 1 && p.parallelism() <= 16);
              assertTrue(p.salt().length >= 8 && p.salt().length <= 64);
              assertTrue(p.hash().length >= 16 && p.hash().length <= 64);
              return true;
            })
        .orElse(false);
  }

  @FuzzTest(maxDuration = "30s")
  void jwtVerify_acceptsOnlyWellSignedTokens(@NotNull String token) {
    jwtProperty(token);
  }

  /**
   * Only {@link JwtCodec.Rejected} may be thrown, and an accepted token is compact, bounded, HS256 with the known kid,
   * verifies independently with nimbus under the key, and is not expired.
   */
  static boolean jwtProperty(String token) {
    JwtCodec.Claims c;
    try {
      c = JWT.verify(token, NOW);
    } catch (JwtCodec.Rejected expected) {
      return false;
    }
    assertTrue(token.length() <= JwtCodec.MAX_TOKEN_LENGTH);
    assertTrue(JwtCodec.isCompact(token));
    try {
      SignedJWT j = SignedJWT.parse(token);
      assertEquals(JWSAlgorithm.HS256, j.getHeader().getAlgorithm());
      assertEquals(KID, j.getHeader().getKeyID());
      assertTrue(j.verify(new MACVerifier(KEY)), "accepted only with a valid MAC under the key");
      assertTrue(NOW.isBefore(c.expiresAt()));
      assertEquals(j.getJWTClaimsSet().getSubject(), c.userId());
    } catch (ParseException | JOSEException e) {
      throw new AssertionError("an accepted token must parse and verify independently", e);
    }
    return true;
  }

  @FuzzTest(maxDuration = "30s")
  void otpauthParse_roundTripsThroughBuild(@NotNull String uri) {
    otpauthProperty(uri);
  }

  /** Only {@link IllegalArgumentException}; whatever parses (with an issuer) builds into a URI that parses equal. */
  static boolean otpauthProperty(String uri) {
    OtpAuthUri.Parsed p;
    try {
      p = OtpAuthUri.parse(uri);
    } catch (IllegalArgumentException expected) {
      return false;
    }
    assertFalse(p.account().isEmpty());
    assertTrue(p.secret().length > 0);
    if (p.issuer().isPresent()) {
      String again = OtpAuthUri.build(p.issuer().get(), p.account(), p.secret(), p.parameters());
      assertEquals(p, OtpAuthUri.parse(again));
    }
    return true;
  }

  @FuzzTest(maxDuration = "30s")
  void base32_decodeThenEncode_isStable(@NotNull String s) {
    base32Property(s);
  }

  static boolean base32Property(String s) {
    byte[] b;
    try {
      b = Base32.decode(s);
    } catch (IllegalArgumentException expected) {
      return false;
    }
    assertArrayEquals(b, Base32.decode(Base32.encode(b)));
    assertTrue(Base32.encode(b).matches("[A-Z2-7]*"));
    return true;
  }

  @FuzzTest(maxDuration = "30s")
  void recoveryCode_normalizeIsCanonical(@NotNull String s) {
    recoveryCodeProperty(s);
  }

  static boolean recoveryCodeProperty(String s) {
    String n = SecondFactor.normalizeRecoveryCode(s);
    if (n == null) {
      return false;
    }
    assertTrue(n.matches("[A-Z2-7]{24}"));
    assertEquals(n, SecondFactor.normalizeRecoveryCode(n));
    return true;
  }

  @FuzzTest(maxDuration = "30s")
  void clientAddress_canonicalIsIdempotent(@NotNull String s) {
    clientAddressProperty(s);
  }

  /** Never throws; canonical of canonical is canonical; IPv6 literals become a /64. */
  static boolean clientAddressProperty(String s) {
    String c = ClientAddresses.canonical(s);
    assertEquals(c, ClientAddresses.canonical(c));
    return c.endsWith("::/64");
  }

  @FuzzTest(maxDuration = "30s")
  void auditClean_leavesNoControlCharacters(@NotNull String s) {
    auditCleanProperty(s);
  }

  /** No C0/C1 control, bidi or separator characters survive, nor lone surrogates; the length is bounded. */
  static boolean auditCleanProperty(String s) {
    String c = AuditTrail.clean(s);
    assertTrue(c.length() <= 256 * 6 + 32, "bounded");
    for (int i = 0; i < c.length(); i++) {
      char ch = c.charAt(i);
      assertFalse(ch < 0x20 || (ch >= 0x7f && ch < 0xa0), "control character left at " + i);
      assertFalse((ch >= 0x202a && ch <= 0x202e) || (ch >= 0x2066 && ch <= 0x2069) || ch == 0x2028 || ch == 0x2029);
      if (Character.isHighSurrogate(ch)) {
        assertTrue(i + 1 < c.length() && Character.isLowSurrogate(c.charAt(i + 1)), "lone high surrogate");
        i++;
      } else {
        assertFalse(Character.isLowSurrogate(ch), "lone low surrogate");
      }
    }
    return !c.equals(s);
  }
}
