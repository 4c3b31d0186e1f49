package dev.secureyeoman.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code security.cache} (issue 18): optional, validated, and its URL (which may hold a password) never shown. */
class CacheConfigTest {
  @TempDir Path dir;
  final EncryptedConfigLoader loader = EncryptedConfigLoader.builder().build();

  private SecurityConfig load(String yaml) throws Exception {
    Path p = dir.resolve("c.yaml");
    Files.writeString(p, yaml, StandardCharsets.UTF_8);
    return loader.load(p);
  }

  @Test
  void cache_absent_noRedis_localFallback() throws Exception {
    SecurityConfig c = load("security: {audit: {retention_days: 7}}\n");
    assertFalse(c.cache().redisConfigured());
    assertEquals(SecurityConfig.Cache.OnFailure.LOCAL, c.cache().rateLimitOnFailure());
    assertEquals(SecurityConfig.defaults().cache(), c.cache());
  }

  @Test
  void cache_redisUrlAndDeny_bound_toStringHidesTheUrl() throws Exception {
    SecurityConfig c =
        load("security: {cache: {redis_url: \"redis://:pw-in-url@10.0.0.5:6379/1\", rate_limit_on_failure: deny}}\n");
    assertTrue(c.cache().redisConfigured());
    assertEquals("redis://:pw-in-url@10.0.0.5:6379/1", c.cache().redisUrl());
    assertEquals(SecurityConfig.Cache.OnFailure.DENY, c.cache().rateLimitOnFailure());
    assertFalse(c.toString().contains("pw-in-url"), c.toString());
    assertTrue(c.cache().toString().contains("(set)"));
  }

  @Test
  void cache_badUrlOrMode_violationNamesTheKey_withoutTheValue() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> load("security: {cache: {redis_url: \"http://:pw-in-url@host\", rate_limit_on_failure: maybe}}\n"));
    List<String> lines = e.violations().stream().map(ConfigViolation::toString).toList();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("security.cache.")), lines.toString());
    assertFalse(e.getMessage().contains("pw-in-url"), e.getMessage());
    ConfigException url =
        assertThrows(ConfigException.class, () -> load("security: {cache: {redis_url: \"http://:pw-in-url@host\"}}\n"));
    assertEquals(
        List.of("security.cache.redis_url: must be empty or a redis:// or rediss:// URL"),
        url.violations().stream().map(ConfigViolation::toString).toList());
    assertFalse(url.getMessage().contains("pw-in-url"));
  }
}
