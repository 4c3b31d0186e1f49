package dev.secureyeoman.auth.spring;

import static dev.secureyeoman.auth.spring.AuthServices.ADMIN_PASSWORD;
import static dev.secureyeoman.auth.spring.AuthServices.BOB_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthSettings;
import dev.secureyeoman.auth.AuthTokens;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.InvalidCredentialsException;
import dev.secureyeoman.auth.InvalidTokenException;
import dev.secureyeoman.auth.Principal;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.InternalAuthenticationServiceException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

class SecureYeomanAuthenticationProviderTest {
  @TempDir Path dir;

  /** A second provider that accepts any user name/password: it must never be reached when ours fails closed. */
  private static final class AcceptAnything implements AuthenticationProvider {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public Authentication authenticate(Authentication a) {
      calls.incrementAndGet();
      return UsernamePasswordAuthenticationToken.authenticated(a.getName(), null, List.of());
    }

    @Override
    public boolean supports(Class<?> c) {
      return UsernamePasswordAuthenticationToken.class.isAssignableFrom(c);
    }
  }

  private static UsernamePasswordAuthenticationToken request(String user, String password) {
    UsernamePasswordAuthenticationToken t = UsernamePasswordAuthenticationToken.unauthenticated(user, password);
    t.setDetails(AuthServices.CLIENT);
    return t;
  }

  private static Set<String> authorities(Authentication a) {
    return a.getAuthorities().stream().map(GrantedAuthority::getAuthority).collect(Collectors.toSet());
  }

  @Test
  void authenticate_correctPassword_principalTokensAndAuthorities() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      String adminId = AuthServices.createAdmin(s);
      AuthenticationManager manager = new ProviderManager(SecureYeomanAuthenticationProvider.of(s));

      SecureYeomanAuthentication a =
          assertInstanceOf(SecureYeomanAuthentication.class, manager.authenticate(request("admin", ADMIN_PASSWORD)));

      assertTrue(a.isAuthenticated());
      assertEquals("admin", a.getName());
      assertEquals(adminId, a.getPrincipal().userId());
      assertNull(a.getCredentials());
      assertEquals(Set.of("ROLE_admin", "ROLE_user", "FACTOR_PASSWORD"), authorities(a));
      AuthTokens tokens = a.tokens().orElseThrow();
      assertFalse(tokens.rememberMe());
      // the tokens are real: secure-auth accepts the access token for the same session
      Principal p = s.authenticate(tokens.accessToken());
      assertEquals(a.getPrincipal().sessionId(), p.sessionId());
      assertEquals(AuthServices.CLIENT.address(), a.getDetails(), "a ClientInfo (not serializable) becomes its address");
      // secure-auth audited the login with the client address from the details
      assertEquals(
          AuthServices.CLIENT.address(), f.audit.named("auth.login.success").get(0).metadata().get("client"));
      assertFalse(a.toString().contains(tokens.accessToken()));
      assertFalse(a.toString().contains(tokens.refreshToken()));
    }
  }

  @Test
  void authenticate_wrongPasswordOrUnknownUser_sameBadCredentials() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      AuthServices.createBob(s);
      AuthenticationManager manager = new ProviderManager(SecureYeomanAuthenticationProvider.of(s));
      BadCredentialsException wrong =
          assertThrows(BadCredentialsException.class, () -> manager.authenticate(request("bob", ADMIN_PASSWORD)));
      BadCredentialsException unknown =
          assertThrows(BadCredentialsException.class, () -> manager.authenticate(request("mallory", BOB_PASSWORD)));
      assertEquals(InvalidCredentialsException.MESSAGE, wrong.getMessage());
      assertEquals(wrong.getMessage(), unknown.getMessage());
      assertEquals(2, f.audit.named("auth.login.failure").size());
      // the legitimate path still works
      assertTrue(manager.authenticate(request("bob", BOB_PASSWORD)).isAuthenticated());
    }
  }

  @Test
  void authenticate_credentialsMissing_badCredentialsWithoutCallingTheService() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      AuthServices.createBob(s);
      SecureYeomanAuthenticationProvider provider = SecureYeomanAuthenticationProvider.of(s);
      UsernamePasswordAuthenticationToken erased = request("bob", BOB_PASSWORD);
      erased.eraseCredentials();
      assertThrows(BadCredentialsException.class, () -> provider.authenticate(erased));
      assertTrue(f.audit.named("auth.login.failure").isEmpty());
    }
  }

  @Test
  void authenticate_throttled_lockedWithRetryAfterAndNoOtherProviderAsked() throws Exception {
    AuthServices f =
        new AuthServices(
            dir,
            AuthSettings.builder().hashParameters(AuthServices.CHEAP).loginRateLimit(2, Duration.ofMinutes(1)).build());
    try (AuthService s = f.open()) {
      AuthServices.createBob(s);
      AcceptAnything fallback = new AcceptAnything();
      AuthenticationManager manager = new ProviderManager(SecureYeomanAuthenticationProvider.of(s), fallback);
      // two wrong passwords use up the user's budget (Spring then asks the fallback, as it does for any bad password)
      for (int i = 0; i < 2; i++) {
        manager.authenticate(request("bob", "wrong " + i));
      }
      int askedBefore = fallback.calls.get();
      LoginThrottledAuthenticationException e =
          assertThrows(
              LoginThrottledAuthenticationException.class, () -> manager.authenticate(request("bob", BOB_PASSWORD)));
      assertInstanceOf(LockedException.class, e);
      assertTrue(e.retryAfter().compareTo(Duration.ofSeconds(1)) >= 0, e.retryAfter().toString());
      assertEquals(askedBefore, fallback.calls.get(), "a throttled login must not fall through to another provider");
      // after the refill period the right password works again
      f.clock.advance(Duration.ofMinutes(1));
      assertTrue(manager.authenticate(request("bob", BOB_PASSWORD)) instanceof SecureYeomanAuthentication);
    }
  }

  @Test
  void authenticate_mfaUser_mfaRequiredThenTotpCompletes() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      AuthServices.createBob(s);
      byte[] secret = f.enrollTotp(s, "bob", BOB_PASSWORD);
      AcceptAnything fallback = new AcceptAnything();
      AuthenticationManager manager = new ProviderManager(SecureYeomanAuthenticationProvider.of(s), fallback);

      MfaRequiredException mfa =
          assertThrows(MfaRequiredException.class, () -> manager.authenticate(request("bob", BOB_PASSWORD)));
      assertEquals(0, fallback.calls.get(), "the password step alone must not reach another provider");
      String challenge = mfa.challengeToken().orElseThrow();
      assertFalse(mfa.toString().contains(challenge));
      assertEquals(f.clock.instant().plus(f.settings.mfaChallengeTtl()), mfa.expiresAt());

      // a wrong code is bad credentials; the right one completes the login with both factors
      String good = f.totp(secret);
      String wrong = good.equals("000000") ? "111111" : "000000";
      assertThrows(
          BadCredentialsException.class,
          () -> manager.authenticate(SecureYeomanMfaAuthenticationToken.totp(challenge, wrong)));
      // secure-auth imposes a delay after a second-factor failure: within it even the right code is throttled
      assertThrows(
          LoginThrottledAuthenticationException.class,
          () -> manager.authenticate(SecureYeomanMfaAuthenticationToken.totp(challenge, good)));
      f.clock.advance(f.settings.mfaFailureDelay());
      String current = f.totp(secret);
      SecureYeomanAuthentication a =
          assertInstanceOf(
              SecureYeomanAuthentication.class,
              manager.authenticate(SecureYeomanMfaAuthenticationToken.totp(challenge, current)));
      assertEquals("bob", a.getName());
      assertEquals(Set.of("ROLE_user", "FACTOR_PASSWORD", "FACTOR_TOTP"), authorities(a));
      assertEquals(a.getPrincipal(), s.authenticate(a.tokens().orElseThrow().accessToken()));
      // the challenge is single-use
      assertThrows(
          BadCredentialsException.class,
          () -> manager.authenticate(SecureYeomanMfaAuthenticationToken.totp(challenge, current)));
    }
  }

  @Test
  void authenticate_mfaChallengeExpired_badCredentialsThenFreshChallengeWorks() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      AuthServices.createBob(s);
      byte[] secret = f.enrollTotp(s, "bob", BOB_PASSWORD);
      AuthenticationManager manager = new ProviderManager(SecureYeomanAuthenticationProvider.of(s));
      String stale =
          assertThrows(MfaRequiredException.class, () -> manager.authenticate(request("bob", BOB_PASSWORD)))
              .challengeToken()
              .orElseThrow();
      f.clock.advance(f.settings.mfaChallengeTtl());
      assertThrows(
          BadCredentialsException.class,
          () -> manager.authenticate(SecureYeomanMfaAuthenticationToken.totp(stale, f.totp(secret))));
      String fresh =
          assertThrows(MfaRequiredException.class, () -> manager.authenticate(request("bob", BOB_PASSWORD)))
              .challengeToken()
              .orElseThrow();
      assertTrue(manager.authenticate(SecureYeomanMfaAuthenticationToken.totp(fresh, f.totp(secret))).isAuthenticated());
    }
  }

  @Test
  void authenticate_recoveryCode_completesOnceWithRecoveryFactor() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      AuthServices.createBob(s);
      f.enrollTotp(s, "bob", BOB_PASSWORD);
      String code = f.lastRecoveryCodes.get(0);
      AuthenticationManager manager = new ProviderManager(SecureYeomanAuthenticationProvider.of(s));

      String first =
          assertThrows(MfaRequiredException.class, () -> manager.authenticate(request("bob", BOB_PASSWORD)))
              .challengeToken()
              .orElseThrow();
      Authentication a = manager.authenticate(SecureYeomanMfaAuthenticationToken.recoveryCode(first, code));
      assertEquals(Set.of("ROLE_user", "FACTOR_PASSWORD", "FACTOR_RECOVERY_CODE"), authorities(a));

      String second =
          assertThrows(MfaRequiredException.class, () -> manager.authenticate(request("bob", BOB_PASSWORD)))
              .challengeToken()
              .orElseThrow();
      assertThrows(
          BadCredentialsException.class,
          () -> manager.authenticate(SecureYeomanMfaAuthenticationToken.recoveryCode(second, code)),
          "a recovery code is single-use");
    }
  }

  @Test
  void authenticate_auditSinkDown_internalErrorFailClosedNoOtherProviderAsked() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      AuthServices.createBob(s);
      AcceptAnything fallback = new AcceptAnything();
      AuthenticationManager manager = new ProviderManager(SecureYeomanAuthenticationProvider.of(s), fallback);
      f.audit.failing = true;
      InternalAuthenticationServiceException e =
          assertThrows(
              InternalAuthenticationServiceException.class, () -> manager.authenticate(request("bob", BOB_PASSWORD)));
      assertFalse(e.getMessage().contains(BOB_PASSWORD));
      assertEquals(0, fallback.calls.get());
      f.audit.failing = false;
      assertTrue(manager.authenticate(request("bob", BOB_PASSWORD)) instanceof SecureYeomanAuthentication);
    }
  }

  @Test
  void authenticate_interrupted_internalErrorKeepingInterruptFlag() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      AuthServices.createBob(s);
      SecureYeomanAuthenticationProvider provider = SecureYeomanAuthenticationProvider.of(s);
      Thread.currentThread().interrupt();
      AuthenticationException e =
          assertThrows(AuthenticationException.class, () -> provider.authenticate(request("bob", BOB_PASSWORD)));
      assertTrue(Thread.interrupted(), "interrupt flag kept");
      assertInstanceOf(InternalAuthenticationServiceException.class, e);
    }
  }

  @Test
  void authenticate_rememberMeResolver_sessionLastsRememberMeTtl() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      AuthServices.createBob(s);
      SecureYeomanAuthenticationProvider provider =
          SecureYeomanAuthenticationProvider.builder(s).rememberMe(a -> "bob".equals(a.getName())).build();
      AuthTokens t =
          ((SecureYeomanAuthentication) provider.authenticate(request("bob", BOB_PASSWORD))).tokens().orElseThrow();
      assertTrue(t.rememberMe());
      assertEquals(f.clock.instant().plus(f.settings.rememberMeTtl()), t.sessionExpiresAt());
    }
  }

  @Test
  void authenticate_clientFromWebDetailsOrUnknown_keysTheAuditedClient() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      AuthServices.createBob(s);
      SecureYeomanAuthenticationProvider provider = SecureYeomanAuthenticationProvider.of(s);
      UsernamePasswordAuthenticationToken web = UsernamePasswordAuthenticationToken.unauthenticated("bob", BOB_PASSWORD);
      web.setDetails(new WebAuthenticationDetails("203.0.113.9", null));
      Authentication a = provider.authenticate(web);
      assertInstanceOf(WebAuthenticationDetails.class, a.getDetails(), "serializable details are kept");
      provider.authenticate(UsernamePasswordAuthenticationToken.unauthenticated("bob", BOB_PASSWORD));
      SecureYeomanAuthenticationProvider custom =
          SecureYeomanAuthenticationProvider.builder(s).clientInfo(x -> ClientInfo.of("192.0.2.1")).build();
      custom.authenticate(UsernamePasswordAuthenticationToken.unauthenticated("bob", BOB_PASSWORD));
      List<Object> clients =
          f.audit.named("auth.login.success").stream().map(e -> e.metadata().get("client")).collect(Collectors.toList());
      assertEquals(List.of("203.0.113.9", SecureYeomanAuthenticationProvider.UNKNOWN_CLIENT.address(), "192.0.2.1"), clients);
    }
  }

  @Test
  void supports_loginAndMfaRequestsOnly() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      SecureYeomanAuthenticationProvider provider = SecureYeomanAuthenticationProvider.of(s);
      assertTrue(provider.supports(UsernamePasswordAuthenticationToken.class));
      assertTrue(provider.supports(SecureYeomanMfaAuthenticationToken.class));
      assertFalse(provider.supports(SecureYeomanAuthentication.class));
      assertNull(provider.authenticate(new org.springframework.security.authentication.TestingAuthenticationToken("x", "y")));
    }
  }

  @Test
  void serialize_authentication_keepsPrincipalAndDropsTokens() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      AuthServices.createAdmin(s);
      SecureYeomanAuthentication a =
          (SecureYeomanAuthentication)
              SecureYeomanAuthenticationProvider.of(s).authenticate(request("admin", ADMIN_PASSWORD));
      AuthTokens tokens = a.tokens().orElseThrow();
      byte[] bytes = serialize(a);
      String raw = new String(bytes, StandardCharsets.ISO_8859_1);
      assertFalse(raw.contains(tokens.accessToken()), "access token serialized");
      assertFalse(raw.contains(tokens.refreshToken()), "refresh token serialized");

      SecureYeomanAuthentication back = (SecureYeomanAuthentication) deserialize(bytes);
      assertEquals(a.getPrincipal(), back.getPrincipal());
      assertEquals(a.getAuthorities(), back.getAuthorities());
      assertTrue(back.isAuthenticated());
      assertTrue(back.tokens().isEmpty());
      assertEquals(a, back);
      assertEquals(a.hashCode(), back.hashCode());
    }
  }

  @Test
  void serialize_mfaRequiredException_dropsChallenge() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      AuthServices.createBob(s);
      f.enrollTotp(s, "bob", BOB_PASSWORD);
      MfaRequiredException e =
          assertThrows(
              MfaRequiredException.class,
              () -> SecureYeomanAuthenticationProvider.of(s).authenticate(request("bob", BOB_PASSWORD)));
      String challenge = e.challengeToken().orElseThrow();
      byte[] bytes = serialize(e);
      assertFalse(new String(bytes, StandardCharsets.ISO_8859_1).contains(challenge));
      MfaRequiredException back = (MfaRequiredException) deserialize(bytes);
      assertTrue(back.challengeToken().isEmpty());
      assertEquals(e.expiresAt(), back.expiresAt());
    }
  }

  @Test
  void mfaToken_secretsNeverShownAndErased() {
    SecureYeomanMfaAuthenticationToken t = SecureYeomanMfaAuthenticationToken.totp("ch_secret_challenge", "123456");
    assertEquals("mfa-challenge", t.getName());
    assertFalse(t.toString().contains("ch_secret_challenge"));
    assertFalse(t.toString().contains("123456"));
    assertFalse(t.isAuthenticated());
    assertThrows(IllegalArgumentException.class, () -> t.setAuthenticated(true));
    t.eraseCredentials();
    assertNull(t.getCredentials());
    assertNull(t.challengeTokenValue());
    assertEquals(SecureYeomanMfaAuthenticationToken.Method.RECOVERY_CODE,
        SecureYeomanMfaAuthenticationToken.recoveryCode("c", "r").method());
  }

  @Test
  void authenticate_erasedMfaRequest_badCredentials() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      SecureYeomanMfaAuthenticationToken t = SecureYeomanMfaAuthenticationToken.totp("ch_x", "123456");
      t.eraseCredentials();
      assertThrows(BadCredentialsException.class, () -> SecureYeomanAuthenticationProvider.of(s).authenticate(t));
    }
  }

  @Test
  void toBuilder_addedFactorAuthority_keepsPrincipalAndTokens() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      AuthServices.createBob(s);
      SecureYeomanAuthentication a =
          (SecureYeomanAuthentication) SecureYeomanAuthenticationProvider.of(s).authenticate(request("bob", BOB_PASSWORD));
      SecureYeomanAuthentication merged =
          a.toBuilder().authorities(c -> c.add(new SimpleGrantedAuthority("FACTOR_OTT"))).details("d").build();
      assertEquals(a.getPrincipal(), merged.getPrincipal());
      assertEquals(a.tokens(), merged.tokens());
      assertEquals(Set.of("ROLE_user", "FACTOR_PASSWORD", "FACTOR_OTT"), authorities(merged));
      assertEquals("d", merged.getDetails());
      assertTrue(merged.isAuthenticated());
      assertSame(merged.getClass(), a.toBuilder().principal(a.getPrincipal()).build().getClass());
      Principal other = new Principal("u2", "eve", Set.of("admin"), "s2", a.getPrincipal().expiresAt());
      assertThrows(IllegalArgumentException.class, () -> a.toBuilder().principal(other));
      assertFalse(a.toBuilder().authenticated(false).build().isAuthenticated());
      assertThrows(IllegalArgumentException.class, () -> a.setAuthenticated(true));
    }
  }

  @Test
  void translate_otherAuthException_internalError() {
    assertInstanceOf(
        InternalAuthenticationServiceException.class,
        SecureYeomanAuthenticationProvider.translate(new dev.secureyeoman.auth.AuthException("storage down")));
    assertInstanceOf(
        InternalAuthenticationServiceException.class,
        SecureYeomanAuthenticationProvider.translate(new InvalidTokenException()));
  }

  private static byte[] serialize(Object o) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
      oos.writeObject(o);
    }
    return out.toByteArray();
  }

  private static Object deserialize(byte[] bytes) throws Exception {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return in.readObject();
    }
  }
}
