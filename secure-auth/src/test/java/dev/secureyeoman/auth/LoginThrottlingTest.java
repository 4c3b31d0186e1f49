package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoginThrottlingTest {
  static final String ALICE_PW = "alice has a very long password indeed!";
  static final String AUDIT_SUMMARY = "auth.audit.summary";
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
      // the audit log is not flooded: per client and window the first throttled attempt is recorded in full ...
      List<AuditEvent> throttledEvents = f.audit.named("auth.login.throttled");
      assertEquals(2, throttledEvents.size(), "one per client: the attacker's and alice's own");
      assertEquals("203.0.113.66", throttledEvents.get(0).metadata().get("client"));
      assertEquals("192.0.2.1", throttledEvents.get(1).metadata().get("client"));
      // ... while every attempt that reached the password check is still recorded one by one
      assertEquals(5, f.audit.named("auth.login.failure").size());
      assertTrue(f.audit.named(AUDIT_SUMMARY).isEmpty(), "the window is still open");
      // after the refill period alice can log in again, and the ended window becomes one summary with the count
      f.advance(Duration.ofMinutes(1));
      assertInstanceOf(
          LoginResult.Authenticated.class,
          s.login("alice", ALICE_PW.toCharArray(), false, ClientInfo.of("192.0.2.1")));
      List<AuditEvent> summaries = f.audit.named(AUDIT_SUMMARY);
      assertEquals(1, summaries.size());
      Map<String, Object> m = summaries.get(0).metadata();
      assertEquals("auth.login.throttled", m.get("event"));
      assertEquals("203.0.113.66", m.get("client"));
      assertEquals(995L, m.get("suppressed"), "994 of the loop plus bob's attempt from the attacker's address");
      assertTrue(f.audit.events().size() < 20, "events written: " + f.audit.events().size());
    }
  }

  @Test
  void junkTokensAndChallenges_auditedOncePerClientAndWindow_summaryAtClose() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    ClientInfo flood = new ClientInfo("2001:db8:1:2:aaaa::1", Optional.of("flood\u001b[31m/1.0"));
    try (AuthService s = f.open()) {
      for (int i = 0; i < 200; i++) {
        int n = i;
        assertThrows(InvalidTokenException.class, () -> s.refresh("syrt_junk" + n, flood));
        assertThrows(InvalidTokenException.class, () -> s.refresh("junk" + n, flood));
        assertThrows(InvalidCredentialsException.class, () -> s.completeMfa("symc_junk" + n, "123456", flood));
        assertThrows(InvalidCredentialsException.class, () -> s.completeMfa("junk" + n, "123456", flood));
      }
      // one other address of the same IPv6 /64 shares the window; a first failure from elsewhere is recorded
      assertThrows(
          InvalidTokenException.class,
          () -> s.refresh("syrt_other", ClientInfo.of("2001:db8:1:2:bbbb::9")));
      assertThrows(InvalidTokenException.class, () -> s.refresh("syrt_other", ClientInfo.of("198.51.100.99")));
      assertEquals(3, f.audit.named("auth.refresh.failure").size(), "unknown + malformed from the /64, unknown from v4");
      assertEquals(2, f.audit.named("auth.mfa.failure").size());
      AuditEvent first = f.audit.named("auth.refresh.failure").get(0);
      assertEquals("flood\\u001b[31m/1.0", first.metadata().get("user_agent"), "control characters escaped");
    }
    // at close the open windows become summaries with their counts
    Map<String, Long> suppressed = new java.util.TreeMap<>();
    for (AuditEvent e : f.audit.named(AUDIT_SUMMARY)) {
      suppressed.put(e.metadata().get("event") + "/" + e.metadata().get("reason"), (Long) e.metadata().get("suppressed"));
    }
    assertEquals(
        Map.of(
            "auth.refresh.failure/unknown", 200L,
            "auth.refresh.failure/malformed", 199L,
            "auth.mfa.failure/unknown_challenge", 199L,
            "auth.mfa.failure/malformed_challenge", 199L),
        suppressed);
  }

  /** Counts what the service asks the real hasher to verify, and against which stored hash. */
  static final class CountingHasher implements PasswordHasher {
    final PasswordHasher real = PasswordHasher.argon2id(AuthFixture.CHEAP, 2, new java.security.SecureRandom());
    final List<String> verified = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public String hash(char[] password) throws InterruptedException {
      return real.hash(password);
    }

    @Override
    public boolean verify(char[] password, String encoded) throws InterruptedException {
      verified.add(encoded);
      return real.verify(password, encoded);
    }

    @Override
    public boolean needsRehash(String encoded) {
      return real.needsRehash(encoded);
    }

    @Override
    public PasswordHashParameters parameters() {
      return real.parameters();
    }
  }

  @Test
  void unknownUser_andWrongPassword_sameErrorAndAudited() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    CountingHasher hasher = new CountingHasher();
    f.passwordHasher = hasher;
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      hasher.verified.clear();
      InvalidCredentialsException a =
          assertThrows(
              InvalidCredentialsException.class,
              () -> s.login("nobody", USER_PASSWORD.toCharArray(), false, AuthFixture.CLIENT));
      InvalidCredentialsException b =
          assertThrows(
              InvalidCredentialsException.class,
              () -> s.login("bob", "definitely not bob's password....".toCharArray(), false, AuthFixture.CLIENT));
      assertEquals(a.getMessage(), b.getMessage());
      // the unknown user cost one real Argon2id verification, against a hash with the same parameters as bob's
      assertEquals(2, hasher.verified.size(), "one verification per attempt, known or not");
      String dummy = hasher.verified.get(0);
      String bobs = hasher.verified.get(1);
      assertTrue(dummy.startsWith("$argon2id$v=19$m=64,t=1,p=1$"), dummy);
      assertEquals(bobs.substring(0, bobs.lastIndexOf('$', bobs.lastIndexOf('$') - 1)),
          dummy.substring(0, dummy.lastIndexOf('$', dummy.lastIndexOf('$') - 1)), "same cost parameters");
      assertTrue(!dummy.equals(bobs));
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
