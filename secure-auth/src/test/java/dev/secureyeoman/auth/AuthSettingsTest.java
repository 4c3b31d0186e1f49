package dev.secureyeoman.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.auth.totp.TotpAlgorithm;
import dev.secureyeoman.auth.totp.TotpParameters;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.config.SecurityConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthSettingsTest {
  @TempDir Path dir;

  @Test
  void defaults_matchDesign() {
    AuthSettings s = AuthSettings.defaults();
    assertEquals(Duration.ofMinutes(15), s.accessTokenTtl());
    assertEquals(Duration.ofHours(24), s.sessionTtl());
    assertEquals(Duration.ofDays(30), s.rememberMeTtl());
    assertEquals(32, s.passwordPolicy().minLength());
    assertEquals(PasswordHashParameters.defaults(), s.hashParameters());
    assertEquals(new PasswordHashParameters(19456, 2, 1, 16, 32), s.hashParameters());
    assertEquals(5, s.loginRateLimitCapacity());
    assertEquals(Duration.ofMinutes(1), s.loginRateLimitRefillPeriod());
    assertEquals("SecureYeoman", s.totpIssuer());
    assertEquals(1, s.totpWindow());
    assertEquals(TotpParameters.defaults(), s.totpParameters());
    assertEquals(Duration.ofMinutes(10), s.totpEnrollmentTtl());
    assertEquals(Duration.ofMinutes(5), s.mfaChallengeTtl());
    assertEquals(5, s.mfaMaxAttempts());
    assertEquals("secureyeoman", s.tokenIssuer());
    assertTrue(s.maxConcurrentHashes() >= 1);
  }

  @Test
  void builder_everyOption_roundTripsThroughToBuilder() {
    AuthSettings s =
        AuthSettings.builder()
            .accessTokenTtl(Duration.ofMinutes(5))
            .sessionTtl(Duration.ofHours(8))
            .rememberMeTtl(Duration.ofDays(7))
            .passwordPolicy(new PasswordPolicy(12, 64, Set.of()))
            .hashParameters(new PasswordHashParameters(128, 2, 1, 16, 32))
            .maxConcurrentHashes(3)
            .loginRateLimit(10, Duration.ofMinutes(2))
            .mfaChallengeTtl(Duration.ofMinutes(3))
            .mfaMaxAttempts(3)
            .totpIssuer("Acme Corp")
            .totpWindow(2)
            .totpParameters(new TotpParameters(TotpAlgorithm.SHA256, 8, 60))
            .totpEnrollmentTtl(Duration.ofMinutes(20))
            .tokenIssuer("acme")
            .build();
    AuthSettings copy = s.toBuilder().build();
    assertEquals(Duration.ofMinutes(5), copy.accessTokenTtl());
    assertEquals(Duration.ofHours(8), copy.sessionTtl());
    assertEquals(Duration.ofDays(7), copy.rememberMeTtl());
    assertEquals(12, copy.passwordPolicy().minLength());
    assertEquals(3, copy.maxConcurrentHashes());
    assertEquals(10, copy.loginRateLimitCapacity());
    assertEquals(Duration.ofMinutes(2), copy.loginRateLimitRefillPeriod());
    assertEquals(Duration.ofMinutes(3), copy.mfaChallengeTtl());
    assertEquals(3, copy.mfaMaxAttempts());
    assertEquals("Acme Corp", copy.totpIssuer());
    assertEquals(2, copy.totpWindow());
    assertEquals(TotpAlgorithm.SHA256, copy.totpParameters().algorithm());
    assertEquals(Duration.ofMinutes(20), copy.totpEnrollmentTtl());
    assertEquals("acme", copy.tokenIssuer());
    assertEquals(128, copy.hashParameters().memoryKiB());
  }

  @Test
  void builder_optionSetTwice_messageNamesOptionAndEarlierValue() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> AuthSettings.builder().sessionTtl(Duration.ofHours(1)).sessionTtl(Duration.ofHours(2)));
    assertEquals("sessionTtl was already set (to PT1H)", e.getMessage());
    IllegalStateException again =
        assertThrows(
            IllegalStateException.class,
            () -> AuthSettings.defaults().toBuilder().loginRateLimit(7, Duration.ofMinutes(2)).loginRateLimit(8,
                Duration.ofMinutes(1)));
    assertEquals("loginRateLimit was already set (to 7 per PT2M)", again.getMessage());
  }

  @Test
  void builder_rejectsBadValuesAndDoubleSets() {
    assertThrows(IllegalStateException.class, () -> AuthSettings.builder().sessionTtl(Duration.ofHours(1)).sessionTtl(Duration.ofHours(2)));
    assertThrows(IllegalArgumentException.class, () -> AuthSettings.builder().accessTokenTtl(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> AuthSettings.builder().accessTokenTtl(Duration.ofDays(2)));
    assertThrows(IllegalArgumentException.class, () -> AuthSettings.builder().sessionTtl(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> AuthSettings.builder().maxConcurrentHashes(0));
    assertThrows(IllegalArgumentException.class, () -> AuthSettings.builder().loginRateLimit(0, Duration.ofMinutes(1)));
    assertThrows(IllegalArgumentException.class, () -> AuthSettings.builder().mfaChallengeTtl(Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> AuthSettings.builder().mfaMaxAttempts(11));
    assertThrows(IllegalArgumentException.class, () -> AuthSettings.builder().totpIssuer("a:b"));
    assertThrows(IllegalArgumentException.class, () -> AuthSettings.builder().totpWindow(11));
    assertThrows(IllegalArgumentException.class, () -> AuthSettings.builder().totpEnrollmentTtl(Duration.ofHours(2)));
    assertThrows(IllegalArgumentException.class, () -> AuthSettings.builder().tokenIssuer(" "));
    assertThrows(NullPointerException.class, () -> AuthSettings.builder().passwordPolicy(null));
    assertThrows(
        IllegalArgumentException.class,
        () -> AuthSettings.builder().sessionTtl(Duration.ofDays(40)).build(),
        "rememberMe shorter than session");
    assertThrows(
        IllegalArgumentException.class,
        () -> AuthSettings.builder().sessionTtl(Duration.ofMinutes(10)).build(),
        "access longer than session");
  }

  @Test
  void fromConfig_mapsSecurityAuth_andNamesRejectedProperty() {
    SecurityConfig.Auth d = SecurityConfig.defaults().auth();
    AuthSettings s = AuthSettings.fromConfig(d);
    assertEquals(Duration.ofMinutes(15), s.accessTokenTtl());
    assertEquals(Duration.ofHours(24), s.sessionTtl());
    assertEquals(Duration.ofDays(30), s.rememberMeTtl());
    assertEquals(32, s.passwordPolicy().minLength());
    assertEquals(5, s.loginRateLimitCapacity());
    assertEquals("SecureYeoman", s.totpIssuer());
    assertEquals(1, s.totpWindow());
    SecurityConfig.Auth custom =
        new SecurityConfig.Auth(
            Duration.ofMinutes(5),
            Duration.ofHours(12),
            Duration.ofDays(7),
            300,
            new SecurityConfig.Auth.LoginRateLimit(10, Duration.ofMinutes(5)),
            new SecurityConfig.Auth.Totp("Acme", 2));
    AuthSettings c = AuthSettings.fromConfig(custom);
    assertEquals(300, c.passwordPolicy().minLength());
    assertEquals(300, c.passwordPolicy().maxLength());
    assertEquals(Duration.ofMinutes(5), c.loginRateLimitRefillPeriod());
    assertEquals(2, c.totpWindow());
    SecurityConfig.Auth colon =
        new SecurityConfig.Auth(
            Duration.ofMinutes(5),
            Duration.ofHours(12),
            Duration.ofDays(7),
            32,
            new SecurityConfig.Auth.LoginRateLimit(10, Duration.ofMinutes(5)),
            new SecurityConfig.Auth.Totp("Ac:me", 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AuthSettings.fromConfig(colon));
    assertTrue(e.getMessage().startsWith("security.auth: totpIssuer"), e.getMessage());
  }

  @Test
  void serviceBuilder_requiresDataSourceAuditAndKey() {
    assertThrows(IllegalStateException.class, () -> AuthService.builder().build());
    assertThrows(
        IllegalStateException.class,
        () -> AuthService.builder().dataSource(AuthDataSources.sqlite(dir.resolve("a.db"))).build());
    assertThrows(
        IllegalStateException.class,
        () ->
            AuthService.builder()
                .dataSource(AuthDataSources.sqlite(dir.resolve("a.db")))
                .auditSink(new MemoryAuditSink())
                .build());
    assertThrows(
        IllegalArgumentException.class, () -> AuthService.builder().masterKey(SecretBytes.copyOf(new byte[16])));
  }

  @Test
  void sqlite_fileCreatedOwnerOnly() throws Exception {
    Path db = dir.resolve("sub/auth.db");
    AuthDataSources.sqlite(db);
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(db)));
  }

  @Test
  void policy_blocklistFile_addsEntries() throws Exception {
    Path f = dir.resolve("block.txt");
    Files.writeString(f, "# comment\nCorrectHorseBatteryStapleCorrectHorse\n\n");
    PasswordPolicy p = PasswordPolicy.defaults().withBlocklistFile(f);
    assertFalse(p.violations("correcthorsebatterystaplecorrecthorse").isEmpty());
    assertTrue(p.violations("a different passphrase of enough length!").isEmpty());
  }

  @Test
  void values_validateAndRedact() {
    assertThrows(IllegalArgumentException.class, () -> ClientInfo.of(" "));
    assertEquals(256, new ClientInfo("1.2.3.4", Optional.of("x".repeat(300))).userAgent().orElseThrow().length());
    AuthTokens t = new AuthTokens("access-secret", Instant.EPOCH, "refresh-secret", Instant.EPOCH, true);
    assertFalse(t.toString().contains("secret"));
    LoginResult.MfaRequired m = new LoginResult.MfaRequired("challenge-secret", Instant.EPOCH);
    assertFalse(m.toString().contains("secret"));
    assertEquals(List.of("a"), new PasswordPolicyException(List.of("a")).violations());
    assertTrue(new PasswordHashParameters(64, 1, 1, 16, 32).isStrongerThan(new PasswordHashParameters(64, 1, 1, 16, 16)));
    assertThrows(IllegalArgumentException.class, () -> new PasswordHashParameters(64, 0, 1, 16, 32));
    assertThrows(IllegalArgumentException.class, () -> new PasswordHashParameters(64, 1, 17, 16, 32));
    assertThrows(IllegalArgumentException.class, () -> new PasswordHashParameters(64, 1, 1, 8, 32));
    assertThrows(IllegalArgumentException.class, () -> new PasswordHashParameters(64, 1, 1, 16, 8));
  }
}
