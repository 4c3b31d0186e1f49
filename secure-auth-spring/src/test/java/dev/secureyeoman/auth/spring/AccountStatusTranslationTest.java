package dev.secureyeoman.auth.spring;

import static dev.secureyeoman.auth.spring.AuthServices.BOB_PASSWORD;
import static dev.secureyeoman.auth.spring.AuthServices.CLIENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthSettings;
import dev.secureyeoman.auth.LoginResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.CredentialsExpiredException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;

/**
 * Account states become Spring's account-status exceptions: a password an administrator reset is {@link
 * CredentialsExpiredException} (before: a {@code ClassCastException} escaped the provider), a locked second factor is
 * {@link LockedException} (before: an internal error). Neither asks another provider.
 */
class AccountStatusTranslationTest {
  static final String TEMPORARY = "a temporary password the admin handed out";
  static final String CHOSEN = "the password bob chose after the reset!";
  @TempDir Path dir;

  private static final class AcceptAnything implements AuthenticationProvider {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public Authentication authenticate(Authentication a) {
      calls.incrementAndGet();
      return UsernamePasswordAuthenticationToken.authenticated(a.getName(), null, List.of());
    }

    @Override
    public boolean supports(Class<?> c) {
      return true;
    }
  }

  private static UsernamePasswordAuthenticationToken request(String user, String password) {
    UsernamePasswordAuthenticationToken t = UsernamePasswordAuthenticationToken.unauthenticated(user, password);
    t.setDetails(CLIENT);
    return t;
  }

  @Test
  void passwordResetByAdmin_credentialsExpiredWithChallenge_thenTheChangeCompletes() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      AuthServices.createBob(s);
      s.operator("ops").resetPassword("bob", TEMPORARY.toCharArray());
      AcceptAnything fallback = new AcceptAnything();
      AuthenticationManager manager = new ProviderManager(SecureYeomanAuthenticationProvider.of(s), fallback);
      PasswordChangeRequiredException e =
          assertThrows(PasswordChangeRequiredException.class, () -> manager.authenticate(request("bob", TEMPORARY)));
      assertInstanceOf(CredentialsExpiredException.class, e);
      assertEquals(0, fallback.calls.get());
      String challenge = e.challengeToken().orElseThrow();
      assertFalse(e.toString().contains(challenge));
      // kept in a serialized HTTP session, the exception loses the challenge (transient); taken from the provider
      // itself (ProviderManager attaches the request, whose ClientInfo details are not serializable)
      PasswordChangeRequiredException direct =
          assertThrows(
              PasswordChangeRequiredException.class,
              () -> SecureYeomanAuthenticationProvider.of(s).authenticate(request("bob", TEMPORARY)));
      String directChallenge = direct.challengeToken().orElseThrow();
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
        out.writeObject(direct);
      }
      assertFalse(bytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1).contains(directChallenge));
      assertFalse(bytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1).contains(challenge));
      try (java.io.ObjectInputStream in =
          new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
        PasswordChangeRequiredException back = (PasswordChangeRequiredException) in.readObject();
        assertTrue(back.challengeToken().isEmpty());
        assertEquals(direct.expiresAt(), back.expiresAt());
      }
      // the legitimate path: the challenge sets the new password and yields the session
      assertInstanceOf(
          LoginResult.Authenticated.class, s.completePasswordChange(challenge, CHOSEN.toCharArray(), CLIENT));
      assertEquals("bob", manager.authenticate(request("bob", CHOSEN)).getName());
      assertThrows(
          BadCredentialsException.class,
          () -> SecureYeomanAuthenticationProvider.of(s).authenticate(request("bob", TEMPORARY)));
    }
  }

  @Test
  void chainEndingOutcome_passwordErasedFromTheRequestSpringAttaches_badCredentialsLeavesItForTheNextProvider()
      throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      AuthServices.createBob(s);
      f.enrollTotp(s, "bob", BOB_PASSWORD);
      AcceptAnything fallback = new AcceptAnything();
      AuthenticationManager manager = new ProviderManager(SecureYeomanAuthenticationProvider.of(s), fallback);
      UsernamePasswordAuthenticationToken login = UsernamePasswordAuthenticationToken.unauthenticated("bob", BOB_PASSWORD);
      MfaRequiredException e = assertThrows(MfaRequiredException.class, () -> manager.authenticate(login));
      // ProviderManager attached the request; a failure handler may keep the exception in the HTTP session
      assertEquals(login, e.getAuthenticationRequest());
      // before the fix the plaintext password travelled with it (and into a serialized session)
      assertEquals(null, e.getAuthenticationRequest().getCredentials());
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
        out.writeObject(e);
      }
      assertFalse(bytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1).contains(BOB_PASSWORD));
      // a wrong password is bad credentials: the request keeps its password for the next provider (Spring's contract)
      UsernamePasswordAuthenticationToken wrong =
          UsernamePasswordAuthenticationToken.unauthenticated("bob", "not bob's password, but long enough");
      assertThrows(BadCredentialsException.class, () -> SecureYeomanAuthenticationProvider.of(s).authenticate(wrong));
      assertEquals("not bob's password, but long enough", wrong.getCredentials());
    }
  }

  @Test
  void lockedSecondFactor_lockedException_notInternalError() throws Exception {
    AuthServices f =
        new AuthServices(
            dir,
            AuthSettings.builder()
                .hashParameters(AuthServices.CHEAP)
                .mfaBruteForceProtection(Duration.ZERO, Duration.ZERO, 2)
                .build());
    try (AuthService s = f.open()) {
      AuthServices.createBob(s);
      byte[] secret = f.enrollTotp(s, "bob", BOB_PASSWORD);
      AcceptAnything fallback = new AcceptAnything();
      AuthenticationManager manager = new ProviderManager(SecureYeomanAuthenticationProvider.of(s), fallback);
      String challenge =
          assertThrows(MfaRequiredException.class, () -> manager.authenticate(request("bob", BOB_PASSWORD)))
              .challengeToken()
              .orElseThrow();
      String good = f.totp(secret);
      String wrong = good.equals("000000") ? "111111" : "000000";
      for (int i = 0; i < 2; i++) {
        assertThrows(
            BadCredentialsException.class,
            () -> SecureYeomanAuthenticationProvider.of(s)
                .authenticate(SecureYeomanMfaAuthenticationToken.totp(challenge, wrong)));
      }
      AuthenticationException e =
          assertThrows(
              AuthenticationException.class,
              () -> manager.authenticate(SecureYeomanMfaAuthenticationToken.totp(challenge, good)));
      assertEquals(LockedException.class, e.getClass(), e.toString());
      assertEquals(0, fallback.calls.get());
      // an administrator unlocks; a fresh challenge and code complete the login
      s.operator("ops").unlockSecondFactor("bob");
      f.clock.advance(Duration.ofSeconds(30));
      String fresh =
          assertThrows(MfaRequiredException.class, () -> manager.authenticate(request("bob", BOB_PASSWORD)))
              .challengeToken()
              .orElseThrow();
      assertEquals(
          "bob", manager.authenticate(SecureYeomanMfaAuthenticationToken.totp(fresh, f.totp(secret))).getName());
    }
  }
}
