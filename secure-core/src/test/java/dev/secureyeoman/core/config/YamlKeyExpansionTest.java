package dev.secureyeoman.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Hostile YAML whose cost hides in mapping <em>keys</em>: the expanded-scalar bound counted values only, and every node's
 * path string was built eagerly by concatenation, so a long key above a large sequence was copied once per element.
 */
class YamlKeyExpansionTest {
  private final EncryptedConfigLoader loader = EncryptedConfigLoader.builder().build();

  private static long allocatedBytes() throws Exception {
    Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
    Class<?> hotspot = Class.forName("com.sun.management.ThreadMXBean");
    return (long) hotspot.getMethod("getThreadAllocatedBytes", long.class).invoke(bean, Thread.currentThread().getId());
  }

  @Test
  void aliasUsedAsAKeyAtEveryLevel_countsTowardsTheExpandedScalarBound() {
    // one 300 000-character anchor, used as the key of 8 nested mappings: 2.4 M characters of keys from 300 KB
    StringBuilder y = new StringBuilder("a: &a ").append("x".repeat(300_000)).append("\nb:\n");
    for (int d = 1; d <= 8; d++) {
      y.append("  ".repeat(d)).append("*a :\n");
    }
    y.append("  ".repeat(9)).append("v: 1\n");
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parseSecurityConfig(y.toString()));
    assertTrue(e.getMessage().contains("scalar text after alias expansion"), e.getMessage().substring(0, 200));
  }

  @Test
  void longKeyAboveALargeSequence_isNotCopiedPerElement() throws Exception {
    // a 500 000-character explicit key (`? key`, within the 1 MiB document limit) holding 20 000 elements: the eager path of every
    // element was a fresh copy of the key (10 GB allocated); paths are now rendered only for messages
    String key = "k".repeat(500_000);
    String yaml = "? " + key + "\n: [" + "1,".repeat(19_999) + "1]\nsecurity:\n  audit:\n    retention_days: 7\n";
    long before = allocatedBytes();
    SecurityConfig c = loader.parseSecurityConfig(yaml);
    long allocated = allocatedBytes() - before;
    assertEquals(7, c.audit().retentionDays());
    assertTrue(allocated < 512L << 20, "allocated " + (allocated >> 20) + " MiB parsing a 540 KB document");
  }

  @Test
  void ordinaryKeysAndAliases_stillLoad_andMessagesStillNameThePath() {
    String yaml = "x: &v 30\nsecurity:\n  audit:\n    retention_days: *v\n    max_entries: -1\n";
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parseSecurityConfig(yaml));
    assertTrue(e.getMessage().contains("security.audit.max_entries"), e.getMessage());
    ConfigException tag =
        assertThrows(
            ConfigException.class,
            () -> loader.parseSecurityConfig("security:\n  sandbox:\n    backends:\n      - 1\n      - !!str 2\n"));
    assertTrue(tag.getMessage().contains("explicit YAML tags"), tag.getMessage());
    ConfigException deep =
        assertThrows(
            ConfigException.class,
            () -> loader.parseSecurityConfig("a:\n  b:\n    - c: 1\n      c: 2\n"));
    assertTrue(deep.getMessage().contains("a.b[0].c"), deep.getMessage());
  }
}
