package dev.secureyeoman.core.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code security.storage} (issue 18): engine, URL, user and a password that is never shown. */
class StorageConfigKeysTest {
  private static final String SECRET = "pg-Secret-4f1c9e";
  private final EncryptedConfigLoader plain = EncryptedConfigLoader.builder().build();

  @Test
  void default_isSqlite() throws Exception {
    SecurityConfig c = plain.parseSecurityConfig("security: {}");
    assertEquals(SecurityConfig.Storage.Engine.SQLITE, c.storage().engine());
    assertEquals(SecurityConfig.Storage.DEFAULTS, c.storage());
    assertEquals(SecurityConfig.defaults(), c);
  }

  @Test
  void postgres_withPasswordEnv_resolvesFromTheEnvironment() throws Exception {
    SecurityConfig.Storage s =
        plain
            .parseSecurityConfig(
                "security: {storage: {engine: postgres, url: 'jdbc:postgresql://127.0.0.1:5432/auth', user: sy,"
                    + " password_env: SY_PG_PASSWORD}}")
            .storage();
    assertEquals(SecurityConfig.Storage.Engine.POSTGRES, s.engine());
    assertArrayEquals(SECRET.toCharArray(), s.resolvePassword(Map.of("SY_PG_PASSWORD", SECRET)::get));
    IllegalStateException unset = assertThrows(IllegalStateException.class, () -> s.resolvePassword(k -> null));
    assertTrue(unset.getMessage().contains("SY_PG_PASSWORD"));
  }

  @Test
  void postgres_withPassword_neverShownInToString() throws Exception {
    SecurityConfig c =
        plain.parseSecurityConfig(
            "security: {storage: {engine: postgres, url: 'jdbc:postgresql://127.0.0.1:5432/auth', user: sy,"
                + " password: " + SECRET + "}}");
    assertArrayEquals(SECRET.toCharArray(), c.storage().resolvePassword(k -> null));
    assertFalse(c.toString().contains(SECRET), c.toString());
    assertFalse(c.storage().toString().contains(SECRET));
    assertTrue(c.storage().toString().contains("(redacted)"));
  }

  @Test
  void postgres_incomplete_violationNamesTheKey_neverTheValue() {
    for (String storage :
        new String[] {
          "{engine: postgres, url: 'jdbc:mysql://h/db', user: sy, password: " + SECRET + "}",
          "{engine: postgres, url: 'jdbc:postgresql://h/db', user: '', password: " + SECRET + "}",
          "{engine: postgres, url: 'jdbc:postgresql://h/db', user: sy}",
          "{engine: postgres, url: 'jdbc:postgresql://h/db', user: sy, password: " + SECRET + ", password_env: X}"
        }) {
      ConfigException e =
          assertThrows(ConfigException.class, () -> plain.parseSecurityConfig("security: {storage: " + storage + "}"));
      String all = e.violations().toString() + e.getMessage();
      assertTrue(all.contains("security.storage."), all);
      assertFalse(all.contains(SECRET), all);
    }
    ConfigException badEnv =
        assertThrows(
            ConfigException.class,
            () -> plain.parseSecurityConfig("security: {storage: {password_env: 'not a name " + SECRET + "'}}"));
    assertTrue(badEnv.violations().toString().contains("security.storage.password_env"));
    assertFalse((badEnv.violations().toString() + badEnv.getMessage()).contains(SECRET));
    ConfigException badEngine =
        assertThrows(ConfigException.class, () -> plain.parseSecurityConfig("security: {storage: {engine: mysql}}"));
    assertEquals(
        "[security.storage.engine: expected one of [sqlite, postgres]]", badEngine.violations().toString());
  }
}
