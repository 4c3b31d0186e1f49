package dev.secureyeoman.core.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithUtf8Length;

/**
 * Jazzer fuzz test of the YAML → record → validation pipeline. Property: only {@link ConfigException} escapes.
 * Fuzz with {@code ./mvnw -Pfuzz -pl secure-core test -Dtest='YamlLoaderFuzzTest#securityConfig'}.
 */
class YamlLoaderFuzzTest {
  private static final EncryptedConfigLoader LOADER = EncryptedConfigLoader.newBuilder().build();

  @FuzzTest(maxDuration = "60s")
  void securityConfig(@NotNull @WithUtf8Length(max = 4096) String yaml) {
    try {
      LOADER.parseSecurityConfig(yaml, "fuzz");
    } catch (ConfigException expected) {
      // documented outcome
    }
  }

  @FuzzTest(maxDuration = "60s")
  void securityConfigWithPrefix(@NotNull @WithUtf8Length(max = 2048) String tail) {
    // steer the fuzzer into the schema: a valid prefix followed by arbitrary text
    try {
      LOADER.parseSecurityConfig("security:\n  audit:\n    " + tail, "fuzz");
    } catch (ConfigException expected) {
      // documented outcome
    }
  }
}
