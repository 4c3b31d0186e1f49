package dev.secureyeoman.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReleaseNotesTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 24);
  private static final Person ADA = new Person("Ada Lovelace", "ada@example.org");
  private int next;

  private Commit commit(String message) {
    return commit(message, ADA);
  }

  private Commit commit(String message, Person author) {
    String id = String.format("%07x", 0xabc0 + next++) + "0".repeat(33);
    return new Commit(id, author, Instant.EPOCH.plusSeconds(next), CommitMessage.parse(message));
  }

  private static List<String> titles(ReleaseNotes n) {
    return n.sections().stream().map(ReleaseNotes.Section::title).toList();
  }

  private static List<String> texts(ReleaseNotes.Section s) {
    return s.entries().stream().map(ReleaseNotes.Entry::text).toList();
  }

  @Test
  void build_mixedTypes_groupedInLayoutOrder() {
    List<Commit> commits =
        List.of(
            commit("chore: bump"),
            commit("test(auth): cover refresh"),
            commit("fix(core): nonce reuse"),
            commit("Update things"),
            commit("docs: guide"),
            commit("feat(api): one"),
            commit("perf: faster"),
            commit("ci: cache"),
            commit("refactor: split"),
            commit("build: pin"),
            commit("wip: unknown type"),
            commit("feat: two"));
    ReleaseNotes n = ReleaseNotes.builder().date(DAY).commits(commits).build();
    assertEquals(
        List.of(
            "Features", "Bug Fixes", "Performance", "Documentation", "Refactoring", "Tests", "Build/CI", "Chores",
            "Other"),
        titles(n));
    assertEquals(List.of("one", "two"), texts(n.sections().get(0)), "input order kept within a section");
    assertEquals(List.of("cache", "pin"), texts(n.sections().get(6)));
    assertEquals(List.of("Update things", "wip: unknown type"), texts(n.sections().get(8)));
    assertEquals(Optional.of("api"), n.sections().get(0).entries().get(0).scope());
    assertTrue(n.breakingChanges().entries().isEmpty());
    assertEquals(12, n.commitCount());
  }

  @Test
  void toMarkdown_breakingFromMarkerAndFooter_listedFirst() {
    ReleaseNotes n =
        ReleaseNotes.builder()
            .title("v2.0.0")
            .date(DAY)
            .commits(
                List.of(
                    commit("fix: small"),
                    commit("feat(api)!: remove v1 endpoints"),
                    commit("refactor(core): new envelope\n\nBREAKING CHANGE: v1 envelopes must be re-encrypted.\n"
                        + "Run `secureyeoman config rekey`.")))
            .build();
    assertEquals(
        List.of("remove v1 endpoints", "v1 envelopes must be re-encrypted.\nRun `secureyeoman config rekey`."),
        texts(n.breakingChanges()));
    String md = n.toMarkdown();
    assertEquals(
        """
        ## v2.0.0 (2026-11-24)

        ### Breaking changes

        - **api:** remove v1 endpoints (000abc1)
        - **core:** v1 envelopes must be re-encrypted. (000abc2)
          Run `secureyeoman config rekey`.

        ### Features

        - **api:** remove v1 endpoints (000abc1)

        ### Bug Fixes

        - small (000abc0)

        ### Refactoring

        - **core:** new envelope (000abc2)

        ### Contributors

        - Ada Lovelace
        """,
        md);
    assertTrue(md.indexOf("### Breaking changes") < md.indexOf("### Features"));
  }

  @Test
  void toMarkdown_repositoryUrl_linksPullRequestsCommitsAndCompare() {
    Commit c = commit("feat(cli): release notes (#123)");
    ReleaseNotes n =
        ReleaseNotes.builder()
            .title("v1.1.0")
            .date(DAY)
            .from("v1.0.0")
            .to("v1.1.0")
            .repositoryUrl(URI.create("https://github.com/acme/app/"))
            .commits(List.of(c))
            .build();
    String md = n.toMarkdown();
    assertTrue(
        md.contains(
            "- **cli:** release notes ([#123](https://github.com/acme/app/pull/123)) ([" + c.shortId()
                + "](https://github.com/acme/app/commit/" + c.id() + "))\n"),
        md);
    assertTrue(md.contains("**Full changelog:** [v1.0.0...v1.1.0](https://github.com/acme/app/compare/v1.0.0...v1.1.0)"), md);
    String plain = ReleaseNotes.builder().date(DAY).commits(List.of(c)).build().toMarkdown();
    assertTrue(plain.contains("- **cli:** release notes (#123) (" + c.shortId() + ")\n"), plain);
    assertFalse(plain.contains("http"), plain);
  }

  @Test
  void repositoryUrl_notHttp_rejected() {
    ReleaseNotes.Builder b = ReleaseNotes.builder();
    for (String bad : List.of("javascript:alert(1)", "file:///etc", "https://h/x?q=1", "https://u:p@h/x", "/relative")) {
      assertThrows(IllegalArgumentException.class, () -> b.repositoryUrl(URI.create(bad)), bad);
    }
  }

  @Test
  void toMarkdown_hostileSubject_escaped() {
    ReleaseNotes n =
        ReleaseNotes.builder()
            .date(DAY)
            .commits(
                List.of(
                    commit("fix: <script>alert(1)</script> [click](javascript:alert(1)) ![x](http://t/p.png)"),
                    commit("# heading injection"),
                    commit("1. ordered"),
                    commit("Bad <img src=x>", new Person("[evil](http://x)", "e@x"))))
            .build();
    String md = n.toMarkdown();
    assertFalse(md.matches("(?s).*(?<!\\\\)<.*"), "every '<' is escaped: " + md);
    assertFalse(md.contains("[click]("), md);
    assertTrue(md.contains("\\<script\\>alert(1)\\</script\\> \\[click\\](javascript:alert(1))"), md);
    assertTrue(md.contains("- \\# heading injection"), md);
    assertTrue(md.contains("- 1\\. ordered"), md);
    assertTrue(md.contains("- \\[evil\\](http://x)"), md);
  }

  @Test
  void contributors_mailmapAndCoAuthors_listedOnceSorted() {
    Mailmap mm = Mailmap.parse("Ada Lovelace <ada@example.org> <ada@old.example>\nBo Li <bo@example.org>\n");
    ReleaseNotes n =
        ReleaseNotes.builder()
            .date(DAY)
            .mailmap(mm)
            .commits(
                List.of(
                    commit("feat: a", new Person("ada", "ADA@old.example")),
                    commit("fix: b", ADA),
                    commit("fix: c", new Person("bo", "bo@example.org")),
                    commit("docs: d\n\nCo-authored-by: Cy Young <cy@example.org>\nCo-authored-by: B <bo@example.org>",
                        new Person("zed", "zed@example.org")),
                    commit("chore: e", new Person("", ""))))
            .build();
    assertEquals(List.of("Ada Lovelace", "Bo Li", "Cy Young", "unknown", "zed"), n.contributors());
    assertFalse(n.toMarkdown().contains("@example.org"), "addresses are never printed");
  }

  @Test
  void build_commitAndItsRevertInRange_bothDropped() {
    Commit feat = commit("feat: risky");
    Commit keep = commit("fix: keep");
    Commit revert = commit("Revert \"feat: risky\"\n\nThis reverts commit " + feat.id() + ".");
    Commit outside = commit("Revert \"feat: older\"\n\nThis reverts commit 1234567.");
    ReleaseNotes n = ReleaseNotes.builder().date(DAY).commits(List.of(outside, revert, keep, feat)).build();
    assertEquals(List.of("Bug Fixes", "Reverts"), titles(n));
    assertEquals(List.of("feat: older"), texts(n.sections().get(1)));
    assertEquals(2, n.commitCount());
  }

  @Test
  void toMarkdown_noCommits_saysNoChanges() {
    String md = ReleaseNotes.builder().date(DAY).commits(new ArrayList<>()).build().toMarkdown();
    assertEquals("## Unreleased (2026-11-24)\n\nNo changes.\n", md);
    assertThrows(IllegalStateException.class, () -> ReleaseNotes.builder().build());
  }

  @Test
  void layout_customTitlesAndOrder_applied() {
    SectionLayout layout =
        SectionLayout.builder()
            .section("Fixed", "fix")
            .section("Added", "feat")
            .breakingTitle("⚠ Breaking")
            .otherTitle("Misc")
            .contributorsTitle("Thanks")
            .build();
    ReleaseNotes n =
        ReleaseNotes.builder()
            .date(DAY)
            .layout(layout)
            .commits(List.of(commit("feat!: a"), commit("fix: b"), commit("docs: c")))
            .build();
    assertEquals(List.of("Fixed", "Added", "Misc"), titles(n));
    String md = n.toMarkdown();
    assertTrue(md.indexOf("### ⚠ Breaking") < md.indexOf("### Fixed"), md);
    assertTrue(md.contains("### Thanks"), md);
    assertEquals(Optional.empty(), layout.titleFor("docs"));
    assertEquals(layout.sections(), layout.toBuilder().build().sections());
  }

  @Test
  void layout_invalid_rejected() {
    assertThrows(IllegalArgumentException.class, () -> SectionLayout.builder().section("A", "feat").section("B", "feat"));
    assertThrows(IllegalArgumentException.class, () -> SectionLayout.builder().section("A", "feat").section("A", "fix"));
    assertThrows(IllegalArgumentException.class, () -> SectionLayout.builder().section("A", "Feat"));
    assertThrows(IllegalArgumentException.class, () -> SectionLayout.builder().section("A"));
    assertThrows(IllegalArgumentException.class, () -> SectionLayout.builder().section(" ", "x"));
    assertThrows(IllegalStateException.class, () -> SectionLayout.builder().otherTitle("a").otherTitle("b"));
    assertThrows(IllegalStateException.class, () -> SectionLayout.defaults().toBuilder().breakingTitle("again"));
  }
}
