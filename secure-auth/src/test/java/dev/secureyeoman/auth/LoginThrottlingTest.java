package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoginThrottlingTest {
  static final String ALICE_PW = "alice has a very long password indeed!";
  @TempDir Path dir;

  @Test
  void thousandWrongPasswords_throttled_otherUserUnaffected() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      s.createUser("alice", ALICE_PW.toCharArray(), Set.of());
      AuthFixture.createBob(s);
      ClientInfo attacker = ClientInfo.of("203.0.113.66");
      int invalid = 0;
      int throttled = 0;
      for (int i = 0; i < 1000; i++) {
        try {
          s.login("alice", ("wrong guess number " + i + " padded to length").toCharArray(), false, attacker);
        } catch (InvalidCredentialsException e) {
          invalid++;
        } catch (LoginThrottledException e) {
          throttled++;
          assertTrue(e.retryAfter().compareTo(Duration.ofSeconds(1)) >= 0);
        }
      }
      assertEquals(5, invalid, "only the bucket capacity reaches the password check");
      assertEquals(995, throttled);
      // alice's correct password from another client is throttled too (per-user bucket) ...
      assertThrows(
          LoginThrottledException.class,
          () -> s.login("alice", ALICE_PW.toCharArray(), false, ClientInfo.of("192.0.2.1")));
      // ... while bob from his own client is unaffected
      assertInstanceOf(
          LoginResult.Authenticated.class, s.login("bob", USER_PASSWORD.toCharArray(), false, AuthFixture.CLIENT));
      // the attacker's client is throttled for every user name
      assertThrows(
          LoginThrottledException.class, () -> s.login("bob", USER_PASSWORD.toCharArray(), false, attacker));
      assertTrue(f.audit.named("auth.login.throttled").size() >= 995);
      // after the refill period alice can log in again
      f.advance(Duration.ofMinutes(1));
      assertInstanceOf(
          LoginResult.Authenticated.class,
          s.login("alice", ALICE_PW.toCharArray(), false, ClientInfo.of("192.0.2.1")));
    }
  }

  @Test
  void unknownUser_andWrongPassword_sameErrorAndAudited() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      InvalidCredentialsException a =
          assertThrows(
              InvalidCredentialsException.class,
              () -> s.login("nobody", USER_PASSWORD.toCharArray(), false, AuthFixture.CLIENT));
      InvalidCredentialsException b =
          assertThrows(
              InvalidCredentialsException.class,
              () -> s.login("bob", "definitely not bob's password....".toCharArray(), false, AuthFixture.CLIENT));
      assertEquals(a.getMessage(), b.getMessage());
      assertEquals("unknown_user", f.audit.named("auth.login.failure").get(0).metadata().get("reason"));
      assertEquals("bad_password", f.audit.named("auth.login.failure").get(1).metadata().get("reason"));
      assertTrue(!f.audit.dump().contains(USER_PASSWORD));
      // login is case-insensitive on the name
      assertInstanceOf(
          LoginResult.Authenticated.class, s.login("BOB", USER_PASSWORD.toCharArray(), false, AuthFixture.CLIENT));
    }
  }

  @Test
  void auditFailure_failsClosed() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      f.audit.setFailing(true);
      assertThrows(
          AuthStorageException.class,
          () -> s.login("bob", USER_PASSWORD.toCharArray(), false, AuthFixture.CLIENT));
    }
  }

  @Test
  void createUser_policyAndDuplicates() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      assertThrows(PasswordPolicyException.class, () -> s.createUser("carol", "short".toCharArray(), Set.of()));
      AuthFixture.createBob(s);
      assertThrows(UserExistsException.class, () -> s.createUser("BOB", USER_PASSWORD.toCharArray(), Set.of()));
      assertThrows(IllegalArgumentException.class, () -> s.createUser("bad:name", USER_PASSWORD.toCharArray(), Set.of()));
      assertThrows(
          IllegalArgumentException.class, () -> s.createUser("dave", USER_PASSWORD.toCharArray(), Set.of("Bad Role")));
    }
  }
}
