package dev.secureyeoman.integrations.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.config.ConfigException;
import dev.secureyeoman.core.config.EncryptedConfigLoader;
import dev.secureyeoman.core.config.SecurityConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AdapterOptionsTest {

  @Test
  void fromConfig_yamlKeysBoundValidatedAndDefaulted() throws Exception {
    EncryptedConfigLoader loader = EncryptedConfigLoader.builder().build();
    SecurityConfig c = loader.parseSecurityConfig(
        "security:\n  integrations:\n    adapters:\n      signature_max_age: PT2M\n      send_max_attempts: 5\n");
    AdapterOptions o = AdapterOptions.builder(c.integrations().adapters()).build();
    assertEquals(Duration.ofMinutes(2), o.signatureMaxAge());
    assertEquals(5, o.maxAttempts());
    assertEquals(262_144, o.maxWebhookBodyBytes(), "unspecified keys keep their defaults");
    assertEquals(Duration.ofSeconds(30), o.maxRetryWait());
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parseSecurityConfig(
        "security: {integrations: {adapters: {signature_max_age: PT10M, webhook_max_body_bytes: 10}}}"));
    String all = e.violations().toString();
    assertTrue(all.contains("security.integrations.adapters.signature_max_age"), all);
    assertTrue(all.contains("security.integrations.adapters.webhook_max_body_bytes"), all);
  }

  @Test
  void builder_boundsAndSetOnce() {
    assertThrows(IllegalArgumentException.class, () -> AdapterOptions.builder().signatureMaxAge(Duration.ofMinutes(6)));
    assertThrows(IllegalArgumentException.class, () -> AdapterOptions.builder().maxWebhookBodyBytes(2 << 20));
    assertThrows(IllegalArgumentException.class, () -> AdapterOptions.builder().maxAttempts(0));
    assertThrows(IllegalArgumentException.class, () -> AdapterOptions.builder().maxRetryWait(Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> AdapterOptions.builder().requestTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> AdapterOptions.builder().maxParts(101));
    IllegalStateException twice = assertThrows(IllegalStateException.class,
        () -> AdapterOptions.builder().maxAttempts(2).maxAttempts(3));
    assertTrue(twice.getMessage().contains("maxAttempts was already set to 2"));
    AdapterOptions d = AdapterOptions.defaults();
    assertEquals(16, d.maxParts());
    assertEquals(Duration.ofSeconds(30), d.requestTimeout());
    assertFalse(d.toString().isEmpty());
  }
}
