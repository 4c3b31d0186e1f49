package dev.secureyeoman.core.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithUtf8Length;

/**
 * Jazzer fuzz tests of the YAML → record → validation pipeline. Seeds (valid and hostile configurations) live under
 * {@code src/test/resources/dev/secureyeoman/core/config/YamlLoaderFuzzTestInputs/<method>/}.
 *
 * <p>Properties: whatever the text, the loader returns a validated configuration or throws {@link ConfigException} (no
 * other exception, no hang); a message names a source and is one summary line plus {@code path: message} lines; and a
 * value never reaches a message.
 */
class YamlLoaderFuzzTest {
  private static final EncryptedConfigLoader LOADER = EncryptedConfigLoader.builder().build();
  static final String MARKER = "Zq7Secret0Marker";

  /** Typed error only; a successful load is a fully validated configuration. */
  @FuzzTest(maxDuration = "30s")
  void securityConfig(@NotNull @WithUtf8Length(max = 4096) String yaml) {
    SecurityConfig c;
    try {
      c = LOADER.parseSecurityConfig(yaml);
    } catch (ConfigException e) {
      assertTrue(e.getMessage().startsWith(EncryptedConfigLoader.INLINE_SOURCE + ": "), e.getMessage());
      return;
    }
    assertNotNull(c.audit());
    assertTrue(c.audit().retentionDays() > 0 && c.auth().accessTokenTtl().compareTo(java.time.Duration.ofDays(1)) <= 0);
  }

  /**
   * A secret value sits in a quoted scalar of a fixed first part; whatever the fuzzer appends (more keys, aliases,
   * tags, broken syntax), no error message contains it. (When the fuzzer writes the marker itself, for example as a key,
   * which messages may name, the input proves nothing and is skipped.)
   */
  @FuzzTest(maxDuration = "30s")
  void securityConfigNeverEchoesValues(@NotNull @WithUtf8Length(max = 2048) String tail) {
    String doc = "security:\n  audit:\n    db_path: \"" + MARKER + "\"\n" + tail;
    try {
      LOADER.parseSecurityConfig(doc);
    } catch (ConfigException e) {
      if (!tail.contains(MARKER)) {
        assertFalse(e.getMessage().contains(MARKER), e.getMessage());
      }
    }
  }
}
