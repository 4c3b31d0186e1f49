package dev.secureyeoman.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CommitMessageTest {

  /** raw message, conventional?, type, scope, !, description, body, breaking?, footer tokens. */
  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of("feat(api)!: x", true, "feat", "api", true, "x", "", true, List.of()),
        Arguments.of("fix: y", true, "fix", null, false, "y", "", false, List.of()),
        Arguments.of(
            "feat: new login\n\nBREAKING CHANGE: sessions from 0.x are invalid",
            true, "feat", null, false, "new login", "", true, List.of("BREAKING CHANGE")),
        Arguments.of(
            "refactor(core): drop v1\n\nBREAKING-CHANGE: v1 envelopes are gone\nRefs: #12",
            true, "refactor", "core", false, "drop v1", "", true, List.of("BREAKING-CHANGE", "Refs")),
        Arguments.of(
            "Revert \"feat(api): add x\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.",
            false, "revert", null, false, "feat(api): add x",
            "This reverts commit 0123456789abcdef0123456789abcdef01234567.", false, List.of()),
        Arguments.of(
            "docs: explain\n\nFirst paragraph\nstill first.\n\nSecond paragraph.\n\nReviewed-by: Z\nRefs #133",
            true, "docs", null, false, "explain", "First paragraph\nstill first.\n\nSecond paragraph.", false,
            List.of("Reviewed-by", "Refs")),
        Arguments.of("fix: a: b #3 c", true, "fix", null, false, "a: b #3 c", "", false, List.of()),
        Arguments.of("fix(parser): handle # and : in names (#42)", true, "fix", "parser", false,
            "handle # and : in names (#42)", "", false, List.of()),
        Arguments.of("Update README", false, null, null, false, "Update README", "", false, List.of()),
        Arguments.of("Merge branch 'x' into main", false, null, null, false, "Merge branch 'x' into main", "", false,
            List.of()),
        Arguments.of("feat:missing space", false, null, null, false, "feat:missing space", "", false, List.of()),
        Arguments.of("feat(): empty scope", false, null, null, false, "feat(): empty scope", "", false, List.of()),
        Arguments.of("feat: ", false, null, null, false, "feat:", "", false, List.of()),
        Arguments.of("FEAT(API)!: Shout", true, "feat", "API", true, "Shout", "", true, List.of()),
        Arguments.of("Fix: mixed case", true, "fix", null, false, "mixed case", "", false, List.of()),
        Arguments.of("", false, null, null, false, "", "", false, List.of()),
        Arguments.of("\n\n\n", false, null, null, false, "", "", false, List.of()),
        Arguments.of("feat: lower-case footer\n\nbreaking change: not a footer", true, "feat", null, false,
            "lower-case footer", "breaking change: not a footer", false, List.of()),
        Arguments.of("chore: crlf\r\n\r\nbody line\r\n\r\nSigned-off-by: A <a@b>\r\n", true, "chore", null, false,
            "crlf", "body line", false, List.of("Signed-off-by")));
  }

  @ParameterizedTest
  @MethodSource("table")
  void parse_table_matchesSpecification(
      String raw,
      boolean conventional,
      String type,
      String scope,
      boolean marker,
      String description,
      String body,
      boolean breaking,
      List<String> tokens) {
    CommitMessage m = CommitMessage.parse(raw);
    assertEquals(conventional, m.isConventional(), "conventional");
    assertEquals(Optional.ofNullable(type), m.type(), "type");
    assertEquals(Optional.ofNullable(scope), m.scope(), "scope");
    assertEquals(marker, m.hasBreakingMarker(), "!");
    assertEquals(description, m.description(), "description");
    assertEquals(body, m.body(), "body");
    assertEquals(breaking, m.isBreaking(), "breaking");
    assertEquals(tokens, m.footers().stream().map(Footer::token).toList(), "footer tokens");
  }

  @Test
  void parse_multiLineFooterValue_runsUntilNextToken() {
    CommitMessage m =
        CommitMessage.parse(
            "feat!: drop v1\n\nBREAKING CHANGE: the v1 API is gone.\n\nMigrate with `yeoman migrate`.\nCloses #9");
    assertEquals(List.of("the v1 API is gone.\n\nMigrate with `yeoman migrate`."), m.breakingChanges());
    assertEquals(new Footer("Closes", Footer.HASH, "9"), m.footers().get(1));
    assertEquals("", m.body());
  }

  @Test
  void parse_tokenColonThenOnlyWhitespace_isAFooter_soTheCanonicalFormParsesBackTheSame() {
    // a vertical tab after "Note:" once made a continuation line that stripping turned into a footer on the next parse
    for (String ws : List.of("\u000b", "\t", "  ", "\u001f", "\u2003")) {
      CommitMessage m = CommitMessage.parse("fix: x\n\nRefs #1\nmore\nNote:" + ws);
      assertEquals(List.of("Refs", "Note"), m.footers().stream().map(Footer::token).toList(), ws);
      assertEquals(new Footer("Refs", Footer.HASH, "1\nmore"), m.footers().get(0));
      assertEquals("", m.footers().get(1).value());
      assertEquals(m, CommitMessage.parse(m.toMessage()));
    }
    // not a footer: no whitespace-only tail (a colon inside a word, a non-breaking space is no whitespace in Java)
    assertEquals(List.of("Refs"), CommitMessage.parse("fix: x\n\nRefs #1\nNote:x").footers().stream()
        .map(Footer::token).toList());
    CommitMessage nbsp = CommitMessage.parse("fix: x\n\nRefs #1\nNote:\u00a0");
    assertEquals(List.of("Refs"), nbsp.footers().stream().map(Footer::token).toList());
    assertEquals(nbsp, CommitMessage.parse(nbsp.toMessage()));
  }

  @Test
  void parse_footerTokensIgnoreCase_exceptBreakingChange() {
    CommitMessage m = CommitMessage.parse("fix: x\n\nco-authored-by: Bo <bo@example.org>\nBreaking-Change: nope");
    assertEquals(List.of("Bo <bo@example.org>"), m.footerValues("Co-Authored-By"));
    assertFalse(m.isBreaking(), "Breaking-Change in mixed case is an ordinary footer (rule 15)");
  }

  @Test
  void parse_pullRequestsAndReverts_extracted() {
    assertEquals(List.of(12, 7), CommitMessage.parse("feat: a (#12) and (#7)").pullRequests());
    assertEquals(List.of(), CommitMessage.parse("feat: issue #12 is not a PR link").pullRequests());
    CommitMessage spec = CommitMessage.parse("revert: let us never speak of it\n\nRefs: 676104e, A215868");
    assertEquals(List.of("676104e", "a215868"), spec.revertedCommits());
    assertEquals(List.of(), CommitMessage.parse("fix: x\n\nRefs: 676104e").revertedCommits());
  }

  @Test
  void toMessage_reparse_isStable() {
    for (Arguments a : table().toList()) {
      CommitMessage m = CommitMessage.parse((String) a.get()[0]);
      assertEquals(m, CommitMessage.parse(m.toMessage()), () -> "round trip of " + a.get()[0]);
    }
  }

  @Test
  void builder_validParts_roundTrip() {
    CommitMessage m =
        CommitMessage.builder("feat", "add rotation")
            .scope("core")
            .breaking()
            .body("Keys rotate now.\n\nSecond paragraph.")
            .footer(Footer.of(Footer.BREAKING_CHANGE, "old keys must be re-wrapped"))
            .footer(new Footer("Closes", Footer.HASH, "12"))
            .build();
    assertEquals(
        "feat(core)!: add rotation\n\nKeys rotate now.\n\nSecond paragraph.\n\n"
            + "BREAKING CHANGE: old keys must be re-wrapped\nCloses #12",
        m.toMessage());
    assertEquals(m, CommitMessage.parse(m.toMessage()));
    assertTrue(m.isBreaking());
  }

  @Test
  void builder_ambiguousOrInvalidParts_rejected() {
    assertThrows(IllegalArgumentException.class, () -> CommitMessage.builder("fe at", "x"));
    assertThrows(IllegalArgumentException.class, () -> CommitMessage.builder("feat", " "));
    assertThrows(IllegalArgumentException.class, () -> CommitMessage.builder("feat", "two\nlines"));
    assertThrows(IllegalArgumentException.class, () -> CommitMessage.builder("feat", "x").scope("a(b)"));
    assertThrows(IllegalStateException.class, () -> CommitMessage.builder("feat", "x").scope("a").scope("b"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CommitMessage.builder("feat", "x").body("Intro.\n\nNote: read as a footer").build());
    assertTrue(e.getMessage().contains("footers"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> CommitMessage.builder("feat", "x").footer(Footer.of("Refs", "a\nFixes: b")).build());
    assertThrows(IllegalArgumentException.class, () -> new Footer("two words", Footer.COLON, "v"));
    assertThrows(IllegalArgumentException.class, () -> new Footer("Refs", "=", "v"));
    assertThrows(IllegalArgumentException.class, () -> new Footer("Refs", Footer.COLON, "v\n"));
  }

  @Test
  void personParse_nameAndEmail_orEmpty() {
    assertEquals(Optional.of(new Person("Bo Li", "bo@example.org")), Person.parse(" Bo Li <bo@example.org> "));
    assertEquals(Optional.empty(), Person.parse("no address"));
  }
}
