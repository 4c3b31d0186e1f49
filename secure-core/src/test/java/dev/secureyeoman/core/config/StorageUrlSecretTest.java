package dev.secureyeoman.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Red team (issue 18): {@code security.storage.url} may carry the password itself ({@code ?password=…}, which the
 * PostgreSQL driver honours); like {@code redis_url}, it must not be shown by {@code toString()} nor by a violation.
 */
class StorageUrlSecretTest {
  private static final String SECRET = "url-Secret-9a7b3c";
  private final EncryptedConfigLoader plain = EncryptedConfigLoader.builder().build();

  @Test
  void passwordInUrl_keptForTheDriver_neverShownInToString() throws Exception {
    String url = "jdbc:postgresql://10.0.0.4:5432/auth?sslmode=require&password=" + SECRET;
    SecurityConfig c =
        plain.parseSecurityConfig(
            "security: {storage: {engine: postgres, url: '" + url + "', user: sy, password_env: SY_PG_PASSWORD}}");
    assertEquals(url, c.storage().url()); // the driver still gets it
    assertFalse(c.toString().contains(SECRET), c.toString());
    assertFalse(c.storage().toString().contains(SECRET), c.storage().toString());
    assertTrue(c.storage().toString().contains("jdbc:postgresql://10.0.0.4:5432/auth"), c.storage().toString());
  }

  @Test
  void passwordInARefusedUrl_violationNeverShowsIt() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                plain.parseSecurityConfig(
                    "security: {storage: {engine: postgres, url: 'jdbc:mysql://h/db?password=" + SECRET
                        + "', user: sy, password_env: X}}"));
    assertFalse(String.valueOf(e.getMessage()).contains(SECRET), e.getMessage());
    assertFalse(e.toString().contains(SECRET), e.toString());
  }
}
