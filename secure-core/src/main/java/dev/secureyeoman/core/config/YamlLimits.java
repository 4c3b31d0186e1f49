package dev.secureyeoman.core.config;

/**
 * Bounds for parsing a YAML document, enforced while parsing so that a hostile file cannot exhaust memory or stack
 * (billion-laughs aliases, deep nesting, huge documents).
 *
 * @param maxDocumentBytes largest document, in bytes (and code points), 1 KiB..64 MiB
 * @param maxAliases most aliases to collections, 0..1000
 * @param maxDepth deepest nesting of mappings and sequences, 1..1000
 * @param maxNodes most nodes visited after alias expansion, 1..10 000 000
 */
public record YamlLimits(int maxDocumentBytes, int maxAliases, int maxDepth, int maxNodes) {

  /** 1 MiB, 20 aliases, depth 32, 100 000 nodes. */
  public static final YamlLimits DEFAULT = new YamlLimits(1024 * 1024, 20, 32, 100_000);

  /**
   * Validates the bounds.
   *
   * @param maxDocumentBytes largest document, in bytes
   * @param maxAliases most aliases to collections
   * @param maxDepth deepest nesting
   * @param maxNodes most nodes after alias expansion
   */
  public YamlLimits {
    check("maxDocumentBytes", maxDocumentBytes, 1024, 64 * 1024 * 1024);
    check("maxAliases", maxAliases, 0, 1000);
    check("maxDepth", maxDepth, 1, 1000);
    check("maxNodes", maxNodes, 1, 10_000_000);
  }

  private static void check(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], was " + value);
    }
  }
}
