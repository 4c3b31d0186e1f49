package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessTokenTest {
  @TempDir Path dir;
  AuthFixture f;
  AuthService s;
  String token;
  SignedJWT parsed;

  @BeforeEach
  void setUp() throws Exception {
    f = new AuthFixture(dir);
    s = f.open();
    AuthFixture.createBob(s);
    token = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken();
    parsed = SignedJWT.parse(token);
    assertEquals("bob", s.authenticate(token).username());
  }

  /** The HS256 key the service derives for a kid (test knows the master key). */
  private byte[] keyFor(String kid) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(f.masterKey, "HmacSHA256"));
    return mac.doFinal(("secureyeoman/auth/jwt-hs256/" + kid).getBytes(StandardCharsets.UTF_8));
  }

  private String sign(JWSHeader h, JWTClaimsSet c, byte[] key) throws Exception {
    SignedJWT j = new SignedJWT(h, c);
    j.sign(new MACSigner(key));
    return j.serialize();
  }

  @Test
  void authenticate_correctlyResignedToken_accepted() throws Exception {
    // control: the test's re-signing path itself produces acceptable tokens
    String kid = parsed.getHeader().getKeyID();
    String again =
        sign(
            new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt")).keyID(kid).build(),
            parsed.getJWTClaimsSet(),
            keyFor(kid));
    assertEquals("bob", s.authenticate(again).username());
  }

  @Test
  void authenticate_tamperedPayload_rejected() throws Exception {
    String[] parts = token.split("\\.");
    JWTClaimsSet evil =
        new JWTClaimsSet.Builder(parsed.getJWTClaimsSet()).claim("roles", List.of("admin", "user")).build();
    String payload =
        Base64.getUrlEncoder().withoutPadding().encodeToString(evil.toString().getBytes(StandardCharsets.UTF_8));
    assertThrows(InvalidTokenException.class, () -> s.authenticate(parts[0] + "." + payload + "." + parts[2]));
    // one flipped signature character
    char last = parts[2].charAt(0);
    String flipped = parts[0] + "." + parts[1] + "." + (last == 'A' ? 'B' : 'A') + parts[2].substring(1);
    assertThrows(InvalidTokenException.class, () -> s.authenticate(flipped));
  }

  @Test
  void authenticate_algNone_rejected() throws Exception {
    String header =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                ("{\"alg\":\"none\",\"typ\":\"at+jwt\",\"kid\":\"" + parsed.getHeader().getKeyID() + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
    String[] parts = token.split("\\.");
    assertThrows(InvalidTokenException.class, () -> s.authenticate(header + "." + parts[1] + "."));
    assertThrows(InvalidTokenException.class, () -> s.authenticate(header + "." + parts[1] + "." + parts[2]));
  }

  @Test
  void authenticate_wrongAlgorithm_rejectedEvenWithTheRightKey() throws Exception {
    String kid = parsed.getHeader().getKeyID();
    byte[] k = keyFor(kid);
    byte[] k64 = new byte[64];
    System.arraycopy(k, 0, k64, 0, 32);
    System.arraycopy(k, 0, k64, 32, 32);
    String hs512 =
        sign(
            new JWSHeader.Builder(JWSAlgorithm.HS512).type(new JOSEObjectType("at+jwt")).keyID(kid).build(),
            parsed.getJWTClaimsSet(),
            k64);
    assertThrows(InvalidTokenException.class, () -> s.authenticate(hs512));

    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    SignedJWT rs =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).type(new JOSEObjectType("at+jwt")).keyID(kid).build(),
            parsed.getJWTClaimsSet());
    rs.sign(new RSASSASigner(g.generateKeyPair().getPrivate()));
    assertThrows(InvalidTokenException.class, () -> s.authenticate(rs.serialize()));
  }

  @Test
  void authenticate_wrongOrMissingKeyId_rejected() throws Exception {
    String kid = parsed.getHeader().getKeyID();
    String otherKid =
        sign(
            new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt")).keyID("other").build(),
            parsed.getJWTClaimsSet(),
            keyFor(kid));
    assertThrows(InvalidTokenException.class, () -> s.authenticate(otherKid));
    String noKid =
        sign(
            new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt")).build(),
            parsed.getJWTClaimsSet(),
            keyFor(kid));
    assertThrows(InvalidTokenException.class, () -> s.authenticate(noKid));
    String wrongType =
        sign(
            new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).keyID(kid).build(),
            parsed.getJWTClaimsSet(),
            keyFor(kid));
    assertThrows(InvalidTokenException.class, () -> s.authenticate(wrongType));
  }

  @Test
  void authenticate_expired_rejected() throws Exception {
    f.advance(Duration.ofMinutes(15).minusSeconds(1));
    s.authenticate(token);
    f.advance(Duration.ofSeconds(1));
    assertThrows(InvalidTokenException.class, () -> s.authenticate(token));
  }

  @Test
  void authenticate_garbage_rejected() {
    for (String g : new String[] {null, "", "a.b.c", "x".repeat(9000), "eyJhbGciOiJIUzI1NiJ9..", token + "x"}) {
      assertThrows(InvalidTokenException.class, () -> s.authenticate(g));
    }
  }

  @Test
  void rotateSigningKey_oldTokensValidUntilExpiry_newTokensUseNewKid_survivesRestart() throws Exception {
    String oldKid = parsed.getHeader().getKeyID();
    String newKid = s.rotateSigningKey();
    assertNotEquals(oldKid, newKid);
    s.authenticate(token);
    String fresh = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken();
    assertEquals(newKid, SignedJWT.parse(fresh).getHeader().getKeyID());
    s.close();
    s = f.open();
    s.authenticate(token);
    s.authenticate(fresh);
    // an old-key token re-signed with a late expiry is refused once the old key is retired
    f.advance(Duration.ofMinutes(15));
    String lateOld =
        sign(
            new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt")).keyID(oldKid).build(),
            new JWTClaimsSet.Builder(parsed.getJWTClaimsSet())
                .expirationTime(java.util.Date.from(f.clock.instant().plus(Duration.ofMinutes(10))))
                .build(),
            keyFor(oldKid));
    assertThrows(InvalidTokenException.class, () -> s.authenticate(lateOld));
    s.close();
  }

  @Test
  void restart_keepsValidTokensValid() throws Exception {
    s.close();
    try (AuthService again = f.open()) {
      assertEquals("bob", again.authenticate(token).username());
    }
  }

  @Test
  void otherMasterKey_rejectsTokens() throws Exception {
    s.close();
    f.masterKey[0] ^= 1;
    try (AuthService other = f.open()) {
      assertThrows(InvalidTokenException.class, () -> other.authenticate(token));
    }
  }
}
