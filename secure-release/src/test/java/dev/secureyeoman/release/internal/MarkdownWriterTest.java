package dev.secureyeoman.release.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MarkdownWriterTest {

  @Test
  void escape_markupCharacters_backslashed() {
    assertEquals("a \\<b\\> \\[c\\](d) \\\\ \\&amp; *e* `f`", MarkdownWriter.escape("a <b> [c](d) \\ &amp; *e* `f`"));
    assertEquals("tab and cr", MarkdownWriter.escape("tab\tand\rcr"));
  }

  @Test
  void escapeStart_blockSyntax_neutralized() {
    assertEquals("\\# h", MarkdownWriter.escapeStart("# h"));
    assertEquals("\\- item", MarkdownWriter.escapeStart("- item"));
    assertEquals("\\+", MarkdownWriter.escapeStart("+"));
    assertEquals("12\\. x", MarkdownWriter.escapeStart("12. x"));
    assertEquals("\\---", MarkdownWriter.escapeStart("---"));
    assertEquals("``\\`java", MarkdownWriter.escapeStart("```java"));
    assertEquals("*emphasis*", MarkdownWriter.escapeStart("*emphasis*"));
    assertEquals("2026 plans", MarkdownWriter.escapeStart("2026 plans"));
  }

  @Test
  void versionOrder_numericRuns_comparedAsNumbers() {
    List<String> tags = new ArrayList<>(List.of("v1.10.0", "v1.9.2", "v1.2.0", "v2.0.0-rc1", "v2.0.0", "v01.2.0"));
    tags.sort(VersionOrder.INSTANCE);
    assertEquals(List.of("v01.2.0", "v1.2.0", "v1.9.2", "v1.10.0", "v2.0.0-rc1", "v2.0.0"), tags);
    assertTrue(VersionOrder.INSTANCE.compare("release-99999999999999999999", "release-100000000000000000000") < 0);
  }
}
