package dev.secureyeoman.auth.spring;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.InvalidCredentialsException;
import dev.secureyeoman.auth.PasswordHashParameters;
import dev.secureyeoman.auth.PasswordHasher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;

class SecureYeomanPasswordEncoderTest {
  private static final String PASSWORD = "a long enough passphrase for the encoder";
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path dir;

  private static SecureYeomanPasswordEncoder cheap() {
    return new SecureYeomanPasswordEncoder(PasswordHasher.argon2id(AuthServices.CHEAP, 2, RANDOM));
  }

  private static SecureYeomanPasswordEncoder defaults() {
    return new SecureYeomanPasswordEncoder(PasswordHasher.argon2id(PasswordHashParameters.defaults(), 2, RANDOM));
  }

  @Test
  void encode_password_writesArgon2idPhcThatMatchesOnlyThePassword() {
    SecureYeomanPasswordEncoder encoder = cheap();
    String hash = encoder.encode(PASSWORD);
    assertTrue(hash.startsWith("$argon2id$v=19$m=64,t=1,p=1$"), hash);
    assertTrue(encoder.matches(PASSWORD, hash));
    assertFalse(encoder.matches(PASSWORD + "x", hash));
    assertFalse(encoder.matches(new StringBuilder(PASSWORD).reverse(), hash));
    assertNotEquals(hash, encoder.encode(PASSWORD), "fresh salt per hash");
    assertFalse(encoder.upgradeEncoding(hash));
    assertFalse(encoder.toString().contains(PASSWORD));
  }

  @Test
  void matches_anyFlippedBitOfSaltOrHash_false() {
    SecureYeomanPasswordEncoder encoder = cheap();
    String hash = encoder.encode(PASSWORD);
    String[] parts = hash.split("\\$");
    String prefix = String.join("$", java.util.Arrays.copyOf(parts, 4)) + "$";
    byte[] salt = Base64.getDecoder().decode(parts[4]);
    byte[] tag = Base64.getDecoder().decode(parts[5]);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    for (byte[] field : new byte[][] {salt, tag}) {
      for (int bit = 0; bit < field.length * 8; bit++) {
        field[bit / 8] ^= (byte) (1 << (bit % 8));
        String tampered = prefix + b64.encodeToString(salt) + "$" + b64.encodeToString(tag);
        assertFalse(encoder.matches(PASSWORD, tampered), "flipped bit " + bit);
        field[bit / 8] ^= (byte) (1 << (bit % 8));
      }
    }
    assertTrue(encoder.matches(PASSWORD, prefix + b64.encodeToString(salt) + "$" + b64.encodeToString(tag)));
  }

  @Test
  void matches_nullOrEmptyInputs_falseAndEncodeNullIsNull() {
    SecureYeomanPasswordEncoder encoder = cheap();
    String hash = encoder.encode(PASSWORD);
    assertFalse(encoder.matches(null, hash));
    assertFalse(encoder.matches("", hash));
    assertFalse(encoder.matches(PASSWORD, null));
    assertFalse(encoder.matches(PASSWORD, ""));
    assertFalse(encoder.matches(PASSWORD, "not a phc string"));
    assertNull(encoder.encode(null));
    assertFalse(encoder.upgradeEncoding(null));
    assertFalse(encoder.upgradeEncoding(""));
    assertTrue(encoder.upgradeEncoding("not a phc string"), "an unreadable hash is re-encoded after a match");
  }

  @Test
  void matches_storedCostAboveTheBound_falseWithoutHashing() {
    // 4 GiB of memory: a hash with attacker-chosen cost must be refused before Argon2 allocates anything
    String salt = Base64.getEncoder().withoutPadding().encodeToString(new byte[16]);
    String hash = Base64.getEncoder().withoutPadding().encodeToString(new byte[32]);
    String absurd = "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + hash;
    SecureYeomanPasswordEncoder encoder = cheap();
    assertFalse(encoder.matches(PASSWORD, absurd));
    // the same salt/hash with a sane cost is parsed and hashed (and simply does not match)
    assertFalse(encoder.matches(PASSWORD, "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + hash));
  }

  @Test
  void upgradeEncoding_parametersRose_trueOnlyForTheWeakerHash() {
    String weak = cheap().encode(PASSWORD);
    SecureYeomanPasswordEncoder stronger =
        new SecureYeomanPasswordEncoder(PasswordHasher.argon2id(new PasswordHashParameters(128, 2, 1, 16, 32), 1, RANDOM));
    assertTrue(stronger.upgradeEncoding(weak));
    assertTrue(stronger.matches(PASSWORD, weak), "the old hash still verifies until it is re-encoded");
    String upgraded = stronger.encode(PASSWORD);
    assertFalse(stronger.upgradeEncoding(upgraded));
    assertFalse(cheap().upgradeEncoding(upgraded), "a stronger stored hash is never downgraded");
  }

  @Test
  void encodeAndMatches_threadInterruptedWhileWaitingForSlot_throwKeepingInterruptFlag() {
    SecureYeomanPasswordEncoder encoder = cheap();
    String hash = encoder.encode(PASSWORD);
    Thread.currentThread().interrupt();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> encoder.encode(PASSWORD));
    assertTrue(Thread.interrupted(), "interrupt flag restored");
    assertInstanceOf(InterruptedException.class, e.getCause());
    Thread.currentThread().interrupt();
    assertThrows(IllegalStateException.class, () -> encoder.matches(PASSWORD, hash), "never a false 'no match'");
    assertTrue(Thread.interrupted());
    assertTrue(encoder.matches(PASSWORD, hash));
  }

  @Test
  void matches_hashStoredByAuthService_verifiesAndEncoderHashLogsIn() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      AuthServices.createBob(s);
      SecureYeomanPasswordEncoder encoder = cheap();
      // reads what AuthService wrote
      String stored = f.storedHash("bob");
      assertTrue(encoder.matches(AuthServices.BOB_PASSWORD, stored));
      assertFalse(encoder.matches(AuthServices.ADMIN_PASSWORD, stored));
      // AuthService reads what the encoder wrote
      String newPassword = "a password written by the spring encoder!";
      f.storeHash("bob", encoder.encode(newPassword));
      AuthServices.login(s, "bob", newPassword);
      assertThrows(
          InvalidCredentialsException.class,
          () -> s.login("bob", AuthServices.BOB_PASSWORD.toCharArray(), false, AuthServices.CLIENT));
    }
  }

  @Test
  void matches_springArgon2Output_verifiedAndUpgraded() {
    // Spring's 5.8 defaults: m=16384, t=2, p=1 — weaker than our default m=19456
    Argon2PasswordEncoder spring = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    String password = "pässwörd and a long tail for the policy";
    String springHash = spring.encode(password);
    assertTrue(springHash.startsWith("$argon2id$v=19$m=16384,t=2,p=1$"), springHash);
    SecureYeomanPasswordEncoder ours = defaults();
    assertTrue(ours.matches(password, springHash));
    assertFalse(ours.matches(password + "!", springHash));
    assertTrue(ours.upgradeEncoding(springHash), "weaker parameters are re-encoded");
    // and back: Spring's encoder reads ours (a host can roll back)
    String ourHash = ours.encode(password);
    assertTrue(spring.matches(password, ourHash));
    assertFalse(spring.matches(password + "!", ourHash));
  }

  @Test
  void matches_argon2iOrArgon2dHash_refusedWhileTheSameArgon2idHashMatches() {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    SecureYeomanPasswordEncoder encoder = cheap();
    assertTrue(encoder.matches(PASSWORD, phc(Argon2Parameters.ARGON2_id, "argon2id", salt)));
    assertFalse(encoder.matches(PASSWORD, phc(Argon2Parameters.ARGON2_i, "argon2i", salt)));
    assertFalse(encoder.matches(PASSWORD, phc(Argon2Parameters.ARGON2_d, "argon2d", salt)));
    // an Argon2i digest relabelled as argon2id does not match either
    assertFalse(encoder.matches(PASSWORD, phc(Argon2Parameters.ARGON2_i, "argon2id", salt)));
  }

  /** A PHC string computed directly with Bouncy Castle (as another tool would write it). */
  private static String phc(int type, String label, byte[] salt) {
    Argon2Parameters params =
        new Argon2Parameters.Builder(type)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withSalt(salt)
            .withMemoryAsKB(64)
            .withIterations(1)
            .withParallelism(1)
            .build();
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(params);
    byte[] out = new byte[32];
    gen.generateBytes(PASSWORD.getBytes(StandardCharsets.UTF_8), out);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return "$" + label + "$v=19$m=64,t=1,p=1$" + b64.encodeToString(salt) + "$" + b64.encodeToString(out);
  }

  @Test
  void delegating_encode_prefixesArgon2idAndNeedsNoUpgrade() {
    DelegatingPasswordEncoder d = SecureYeomanPasswordEncoder.delegating(PasswordHasher.argon2id(AuthServices.CHEAP, 2, RANDOM));
    String hash = d.encode(PASSWORD);
    assertTrue(hash.startsWith("{argon2id}$argon2id$v=19$m=64,t=1,p=1$"), hash);
    assertTrue(d.matches(PASSWORD, hash));
    assertFalse(d.matches(PASSWORD + "x", hash));
    assertFalse(d.upgradeEncoding(hash));
  }

  @Test
  void delegating_springArgon2AndUnprefixedPhc_matchAndAreUpgradedToArgon2id() {
    DelegatingPasswordEncoder d = SecureYeomanPasswordEncoder.delegating(PasswordHasher.argon2id(AuthServices.CHEAP, 2, RANDOM));
    // {argon2} as Spring's PasswordEncoderFactories writes it (5.2 defaults: m=4096, t=3)
    String springV52 = "{argon2}" + Argon2PasswordEncoder.defaultsForSpringSecurity_v5_2().encode(PASSWORD);
    String springV58 =
        "{argon2@SpringSecurity_v5_8}" + Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8().encode(PASSWORD);
    String unprefixed = cheap().encode(PASSWORD); // what secure-auth's users table holds
    for (String legacy : new String[] {springV52, springV58, unprefixed}) {
      assertTrue(d.matches(PASSWORD, legacy), legacy);
      assertFalse(d.matches(PASSWORD + "x", legacy), legacy);
      assertTrue(d.upgradeEncoding(legacy), "re-encoded under {argon2id}: " + legacy);
    }
  }

  @Test
  void delegating_bcryptHash_stillVerifiesAndIsUpgraded() {
    DelegatingPasswordEncoder d = SecureYeomanPasswordEncoder.delegating(PasswordHasher.argon2id(AuthServices.CHEAP, 2, RANDOM));
    String bcrypt = "{bcrypt}" + new BCryptPasswordEncoder(4).encode(PASSWORD);
    assertTrue(d.matches(PASSWORD, bcrypt));
    assertFalse(d.matches(PASSWORD + "x", bcrypt));
    assertTrue(d.upgradeEncoding(bcrypt));
  }

  @Test
  void delegating_legacyOrUnknownId_refusedLoudly() {
    PasswordEncoder d = SecureYeomanPasswordEncoder.delegating(PasswordHasher.argon2id(AuthServices.CHEAP, 2, RANDOM));
    IllegalArgumentException noop = assertThrows(IllegalArgumentException.class, () -> d.matches(PASSWORD, "{noop}" + PASSWORD));
    assertTrue(noop.getMessage().contains("\"noop\""), noop.getMessage());
    assertFalse(noop.getMessage().contains(PASSWORD), "the stored value is not echoed");
    assertThrows(
        IllegalArgumentException.class, () -> d.matches(PASSWORD, "{MD5}5f4dcc3b5aa765d61d8327deb882cf99"));
    // a value that is neither prefixed nor a PHC string simply does not match
    assertFalse(d.matches(PASSWORD, "{not closed"));
    assertFalse(d.matches(PASSWORD, "plain text"));
  }
}
