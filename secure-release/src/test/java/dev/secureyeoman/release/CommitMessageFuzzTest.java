package dev.secureyeoman.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithUtf8Length;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * Jazzer fuzz tests of the commit-message parser and the Markdown writer. Regression inputs (committed seeds) run with
 * every build; fuzz one method with {@code ./mvnw -Pfuzz -pl secure-release test -Dtest='CommitMessageFuzzTest#parse'}.
 */
class CommitMessageFuzzTest {
  private static final String TYPE_PATTERN = "[a-z][a-z0-9_-]*";

  /**
   * Any text: parsing never throws, and the result obeys the classification invariants and is a fixed point of
   * {@code parse(toMessage())}.
   */
  @FuzzTest(maxDuration = "60s")
  void parse(@NotNull @WithUtf8Length(max = 4096) String raw) {
    CommitMessage m = CommitMessage.parse(raw);

    assertFalse(m.description().contains("\n"), "description is one line");
    assertFalse(m.subject().contains("\n"), "subject is one line");
    assertEquals(m.subject(), m.subject().strip());
    m.type().ifPresent(t -> assertTrue(t.matches(TYPE_PATTERN), t));
    if (m.isConventional()) {
      assertTrue(m.type().isPresent());
      assertFalse(m.description().isBlank());
      m.scope().ifPresent(s -> assertFalse(s.isBlank() || s.contains("(") || s.contains(")")));
    } else {
      assertFalse(m.hasBreakingMarker());
      assertTrue(m.scope().isEmpty());
    }
    assertEquals(m.hasBreakingMarker() || m.footers().stream().anyMatch(Footer::isBreakingChange), m.isBreaking());
    assertEquals(m.isBreaking(), m.hasBreakingMarker() || !m.breakingChanges().isEmpty());
    for (Footer f : m.footers()) {
      assertFalse(f.value().endsWith("\n"));
    }
    assertFalse(m.body().startsWith("\n") || m.body().endsWith("\n"));

    // the subject alone classifies the same way as the whole message
    CommitMessage head = CommitMessage.parse(m.subject());
    assertEquals(m.isConventional(), head.isConventional());
    assertEquals(m.type(), head.type());
    assertEquals(m.scope(), head.scope());
    assertEquals(m.description(), head.description());
    assertEquals(m.hasBreakingMarker(), head.hasBreakingMarker());

    // canonical form is stable
    assertEquals(m, CommitMessage.parse(m.toMessage()));

    // and renders without throwing; commit text never produces raw HTML tags
    Commit c = new Commit("0123456789abcdef0123456789abcdef01234567", new Person("A", "a@b"), Instant.EPOCH, m);
    String md = ReleaseNotes.builder().date(LocalDate.EPOCH).commits(List.of(c)).build().toMarkdown();
    assertFalse(md.matches("(?s).*(?<!\\\\)<[A-Za-z/].*"), md);
  }

  /**
   * Parts separated by U+0001 (type, scope, description, body, footer token, footer value): whatever the builder accepts
   * parses back to exactly those parts.
   */
  @FuzzTest(maxDuration = "60s")
  void builder_roundTrip(@NotNull @WithUtf8Length(max = 2048) String parts) {
    String[] p = parts.split("\u0001", -1);
    if (p.length < 6) {
      return;
    }
    CommitMessage built;
    try {
      CommitMessage.Builder b = CommitMessage.builder(p[0], p[2]);
      if (!p[1].isEmpty()) {
        b.scope(p[1]);
      }
      if (p.length > 6) {
        b.breaking();
      }
      b.body(p[3]);
      if (!p[4].isEmpty()) {
        b.footer(Footer.of(p[4], p[5]));
      }
      built = b.build();
    } catch (IllegalArgumentException rejected) {
      return; // the builder refuses what it cannot write unambiguously
    }
    CommitMessage read = CommitMessage.parse(built.toMessage());
    assertEquals(built, read);
    assertTrue(read.isConventional());
    assertEquals(Optional.of(p[0].toLowerCase(java.util.Locale.ROOT)), read.type());
    assertEquals(p[1].isEmpty() ? Optional.empty() : Optional.of(p[1]), read.scope());
    assertEquals(p[2], read.description());
    assertEquals(p[3], read.body());
    assertEquals(p.length > 6, read.hasBreakingMarker());
    assertEquals(p[4].isEmpty() ? List.of() : List.of(Footer.of(p[4], p[5])), read.footers());
  }
}
