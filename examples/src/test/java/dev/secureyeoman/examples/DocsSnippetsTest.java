package dev.secureyeoman.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Doc snippets are code: every fenced block of {@code docs/plugins.md} preceded by {@code <!-- snippet: PATH -->} must
 * equal that file of the repository, which the reactor compiles and the tests run (the sample plugin).
 */
class DocsSnippetsTest {
  private static final Pattern SNIPPET =
      Pattern.compile("<!-- snippet: ([^ ]+) -->\\n```[a-z]*\\n(.*?)\\n```", Pattern.DOTALL);

  @Test
  void pluginsGuide_snippets_equalTheSampleProjectFiles() throws Exception {
    Path repo = Path.of("").toAbsolutePath().getParent();
    String guide = Files.readString(repo.resolve("docs/plugins.md"));
    Matcher m = SNIPPET.matcher(guide);
    int n = 0;
    while (m.find()) {
      n++;
      Path file = repo.resolve(m.group(1));
      assertEquals(Files.readString(file).stripTrailing(), m.group(2), "docs/plugins.md drifted from " + m.group(1));
    }
    assertTrue(n >= 5, "expected the whole sample plugin project in docs/plugins.md, found " + n + " snippets");
  }
}
