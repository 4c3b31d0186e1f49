package dev.secureyeoman.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.release.ReleaseNotesException.Reason;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.MergeCommand;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Release notes read with JGit from real repositories created in temporary directories. */
class ReleaseNotesGeneratorTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);

  @TempDir Path tmp;

  private static ReleaseNotesGenerator.Builder gen(TestRepo repo) {
    return ReleaseNotesGenerator.builder().repository(repo.dir).clock(CLOCK);
  }

  private static List<String> descriptions(ReleaseNotes n) {
    return n.sections().stream().flatMap(s -> s.entries().stream()).map(ReleaseNotes.Entry::text).toList();
  }

  @Test
  void generate_sinceLightweightTag_listsOnlyNewerCommits() throws Exception {
    try (TestRepo repo = TestRepo.init(tmp)) {
      repo.commit("feat: first");
      repo.lightweightTag("v1.0.0");
      repo.commit("fix: second");
      repo.commit("feat(api): third (#7)");
      ReleaseNotes n = gen(repo).build().generate();
      assertEquals("Unreleased", n.title());
      assertEquals(LocalDate.of(2026, 11, 24), n.date());
      assertEquals(Optional.of("v1.0.0"), n.from());
      assertEquals(List.of("third (#7)", "second"), descriptions(n));
    }
  }

  @Test
  void generate_annotatedTags_peeledAndTitleFromTagOnHead() throws Exception {
    try (TestRepo repo = TestRepo.init(tmp)) {
      repo.commit("feat: first");
      repo.annotatedTag("v1.0.0", Instant.parse("2026-02-01T12:00:00Z"));
      repo.commit("fix: second");
      repo.commit("perf: third");
      repo.annotatedTag("v1.1.0", Instant.parse("2026-03-05T08:00:00Z"));
      ReleaseNotes n = gen(repo).repositoryUrl(URI.create("https://github.com/acme/app")).build().generate();
      assertEquals("v1.1.0", n.title());
      assertEquals(LocalDate.of(2026, 3, 5), n.date(), "the annotated tag's date");
      assertEquals(Optional.of("v1.0.0"), n.from(), "tags on --to itself do not start the range");
      assertEquals(List.of("second", "third"), descriptions(n), "Bug Fixes before Performance");
      assertTrue(
          n.toMarkdown().startsWith("## v1.1.0 (2026-03-05)\n\n**Full changelog:** [v1.0.0...v1.1.0]"
              + "(https://github.com/acme/app/compare/v1.0.0...v1.1.0)\n"),
          n.toMarkdown());
    }
  }

  @Test
  void generate_betweenTwoExplicitRefs_excludesLaterCommits() throws Exception {
    try (TestRepo repo = TestRepo.init(tmp)) {
      RevCommit first = repo.commit("feat: first");
      repo.annotatedTag("v1.0.0", Instant.parse("2026-02-01T00:00:00Z"));
      repo.commit("fix: in range");
      repo.lightweightTag("v1.1.0");
      repo.commit("feat: after the release");
      ReleaseNotes n = gen(repo).from("v1.0.0").to("v1.1.0").build().generate();
      assertEquals("v1.1.0", n.title());
      assertEquals(List.of("in range"), descriptions(n));
      ReleaseNotes byId = gen(repo).from(first.name()).to("HEAD~1").build().generate();
      assertEquals(List.of("in range"), descriptions(byId));
      assertEquals(Optional.of(first.name()), byId.from());
    }
  }

  @Test
  void generate_noTags_wholeHistory() throws Exception {
    try (TestRepo repo = TestRepo.init(tmp)) {
      repo.commit("feat: first");
      repo.commit("Initial import of the thing");
      ReleaseNotes n = gen(repo).build().generate();
      assertEquals(Optional.empty(), n.from());
      assertEquals(List.of("first", "Initial import of the thing"), descriptions(n));
      assertEquals(2, n.commitCount());
    }
  }

  @Test
  void generate_unknownRef_unknownRefError() throws Exception {
    try (TestRepo repo = TestRepo.init(tmp)) {
      repo.commit("feat: first");
      ReleaseNotesException e =
          assertThrows(ReleaseNotesException.class, () -> gen(repo).from("v9.9.9").build().generate());
      assertEquals(Reason.UNKNOWN_REF, e.reason());
      assertEquals("unknown revision 'v9.9.9'", e.getMessage());
      assertEquals(
          Reason.UNKNOWN_REF, assertThrows(ReleaseNotesException.class, () -> gen(repo).to("no/such").build().generate()).reason());
      assertEquals(
          Reason.UNKNOWN_REF, assertThrows(ReleaseNotesException.class, () -> gen(repo).to("HEAD~5").build().generate()).reason());
    }
  }

  @Test
  void generate_emptyRepository_unknownHead() throws Exception {
    try (TestRepo repo = TestRepo.init(tmp)) {
      ReleaseNotesException e = assertThrows(ReleaseNotesException.class, () -> gen(repo).build().generate());
      assertEquals(Reason.UNKNOWN_REF, e.reason());
      assertTrue(e.getMessage().contains("empty repository"), e.getMessage());
    }
  }

  @Test
  void generate_notARepository_clearError() {
    ReleaseNotesException e =
        assertThrows(ReleaseNotesException.class, () -> ReleaseNotesGenerator.builder().repository(tmp).build().generate());
    assertEquals(Reason.NOT_A_REPOSITORY, e.reason());
    assertTrue(e.getMessage().contains(tmp.toString()), e.getMessage());
    assertEquals(
        Reason.NOT_A_REPOSITORY,
        assertThrows(
                ReleaseNotesException.class,
                () -> ReleaseNotesGenerator.builder().repository(tmp.resolve("missing")).build().generate())
            .reason());
  }

  @Test
  void generate_swappedRefs_invalidRange() throws Exception {
    try (TestRepo repo = TestRepo.init(tmp)) {
      repo.commit("feat: first");
      repo.lightweightTag("v1.0.0");
      repo.commit("fix: second");
      ReleaseNotesException e =
          assertThrows(ReleaseNotesException.class, () -> gen(repo).from("HEAD").to("v1.0.0").build().generate());
      assertEquals(Reason.INVALID_RANGE, e.reason());
      assertTrue(e.getMessage().contains("swapped"), e.getMessage());
    }
  }

  @Test
  void generate_shallowClone_refusedWhenRangeReachesBoundary() throws Exception {
    Path origin = tmp.resolve("origin");
    try (TestRepo repo = TestRepo.init(origin)) {
      repo.commit("feat: first");
      repo.lightweightTag("v1.0.0");
      for (int i = 0; i < 5; i++) {
        repo.commit("fix: change " + i);
      }
    }
    Path clone = tmp.resolve("clone");
    try (Git g = Git.cloneRepository().setURI(origin.toUri().toString()).setDirectory(clone.toFile()).setDepth(2).call()) {
      assertTrue(Files.exists(clone.resolve(".git/shallow")), "JGit made a shallow clone");
    }
    ReleaseNotesException e =
        assertThrows(ReleaseNotesException.class, () -> ReleaseNotesGenerator.builder().repository(clone).build().generate());
    assertEquals(Reason.SHALLOW_CLONE, e.reason());
    assertTrue(e.getMessage().contains("--unshallow"), e.getMessage());
    // a range that stays inside the fetched history is still fine
    ReleaseNotes inside = ReleaseNotesGenerator.builder().repository(clone).from("HEAD~1").build().generate();
    assertEquals(List.of("change 4"), descriptions(inside));
  }

  @Test
  void generate_mergeCommits_skippedByDefault() throws Exception {
    try (TestRepo repo = TestRepo.init(tmp)) {
      repo.commit("feat: base");
      repo.lightweightTag("v1.0.0");
      repo.git.checkout().setCreateBranch(true).setName("topic").call();
      repo.commit("feat(topic): on branch");
      repo.git.checkout().setName("main").call();
      repo.commit("fix: on main");
      PersonIdent who = new PersonIdent("Ada", "ada@example.org", Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
      repo.git.merge()
          .include(repo.git.getRepository().resolve("topic"))
          .setFastForward(MergeCommand.FastForwardMode.NO_FF)
          .setCommit(false)
          .call();
      repo.git.commit().setMessage("Merge branch 'topic'").setAuthor(who).setCommitter(who).setSign(false).call();
      ReleaseNotes n = gen(repo).build().generate();
      assertEquals(2, n.commitCount());
      assertTrue(descriptions(n).containsAll(List.of("on branch", "on main")));
      ReleaseNotes withMerges = gen(repo).includeMerges(true).build().generate();
      assertEquals(3, withMerges.commitCount());
      assertTrue(descriptions(withMerges).contains("Merge branch 'topic'"));
    }
  }

  @Test
  void generate_mailmapInWorkTree_contributorsOnce() throws Exception {
    try (TestRepo repo = TestRepo.init(tmp)) {
      repo.commit("feat: a", "ada", "ada@laptop.local");
      repo.commit("fix: b", "Ada Lovelace", "ada@example.org");
      repo.commit("docs: c\n\nCo-authored-by: ADA <ada@laptop.local>", "Bo Li", "bo@example.org");
      Files.writeString(repo.dir.resolve(".mailmap"), "Ada Lovelace <ada@example.org> <ada@laptop.local>\n");
      ReleaseNotes n = gen(repo).build().generate();
      assertEquals(List.of("Ada Lovelace", "Bo Li"), n.contributors());
    }
  }

  @Test
  void generate_bareRepositoryAndSubdirectory_found() throws Exception {
    Path work = tmp.resolve("work");
    try (TestRepo repo = TestRepo.init(work)) {
      Files.writeString(work.resolve(".mailmap"), "Ada Lovelace <ada@example.org> <a@old>\n");
      repo.git.add().addFilepattern(".mailmap").call();
      repo.commit("feat: a", "a", "a@old");
      Files.createDirectories(work.resolve("sub/dir"));
      ReleaseNotes fromSub = ReleaseNotesGenerator.builder().repository(work.resolve("sub/dir")).build().generate();
      assertEquals(1, fromSub.commitCount());
    }
    Path bare = tmp.resolve("bare.git");
    Git.cloneRepository().setURI(work.toUri().toString()).setDirectory(bare.toFile()).setBare(true).call().close();
    ReleaseNotes n = ReleaseNotesGenerator.builder().repository(bare).build().generate();
    assertEquals(List.of("Ada Lovelace"), n.contributors(), ".mailmap read from HEAD in a bare repository");
  }

  @Test
  void generate_missingCommitObject_readFailedNotShallow() throws Exception {
    try (TestRepo repo = TestRepo.init(tmp)) {
      RevCommit first = repo.commit("feat: first");
      repo.commit("fix: second");
      String id = first.name();
      Files.delete(tmp.resolve(".git/objects/" + id.substring(0, 2) + "/" + id.substring(2))); // corrupt: a lost object
      ReleaseNotesException e = assertThrows(ReleaseNotesException.class, () -> gen(repo).build().generate());
      assertEquals(Reason.READ_FAILED, e.reason());
      assertTrue(e.getMessage().contains(first.abbreviate(7).name()) || e.getMessage().contains("missing"), e.getMessage());
    }
  }

  @Test
  void builder_optionsSetTwice_rejected() {
    assertThrows(IllegalStateException.class, () -> ReleaseNotesGenerator.builder().from("a").from("b"));
    assertThrows(IllegalStateException.class, () -> ReleaseNotesGenerator.builder().to("a").to("b"));
    assertThrows(IllegalStateException.class, () -> ReleaseNotesGenerator.builder().repository(tmp).repository(tmp));
    assertThrows(IllegalArgumentException.class, () -> ReleaseNotesGenerator.builder().from("a\nb"));
    assertThrows(
        IllegalArgumentException.class, () -> ReleaseNotesGenerator.builder().repositoryUrl(URI.create("ftp://x/y")));
  }
}
