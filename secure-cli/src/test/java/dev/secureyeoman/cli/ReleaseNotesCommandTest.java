package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code secureyeoman release-notes} on real repositories written with JGit. */
class ReleaseNotesCommandTest {
  @TempDir Path tmp;
  Path repo;
  private Instant time = Instant.parse("2026-01-01T00:00:00Z");

  @BeforeEach
  void createRepository() throws Exception {
    repo = tmp.resolve("repo");
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      commit(git, "feat: first");
      git.tag().setName("v1.0.0").setAnnotated(true).setSigned(false).setMessage("v1.0.0")
          .setTagger(ident()).call();
      commit(git, "feat(cli)!: release notes (#15)");
      commit(git, "fix: escape <html>\n\nBREAKING CHANGE: output format changed");
    }
  }

  private PersonIdent ident() {
    time = time.plusSeconds(60);
    return new PersonIdent("Ada Lovelace", "ada@example.org", time, ZoneOffset.UTC);
  }

  private void commit(Git git, String message) throws Exception {
    PersonIdent who = ident();
    git.commit().setMessage(message).setAllowEmpty(true).setAuthor(who).setCommitter(who).setSign(false).call();
  }

  @Test
  void releaseNotes_sinceLastTag_markdownOnStdout() {
    Run r = Run.of("release-notes", "--repo", repo.toString(), "--repo-url", "https://github.com/acme/app");
    assertEquals(0, r.code(), r.err());
    assertEquals("", r.err());
    assertTrue(r.out().startsWith("## Unreleased ("), r.out());
    assertTrue(r.out().contains("### Breaking changes\n\n- output format changed (["), r.out());
    assertTrue(r.out().contains("\n- **cli:** release notes ([#15](https://github.com/acme/app/pull/15)) (["), r.out());
    assertTrue(r.out().contains("### Bug Fixes\n\n- escape \\<html\\> (["), r.out());
    assertFalse(r.out().contains("first"), "commits up to the tag are not listed");
    assertTrue(r.out().contains("**Full changelog:** [v1.0.0..."), r.out());
    assertTrue(r.out().endsWith("### Contributors\n\n- Ada Lovelace\n"), r.out());
  }

  @Test
  void releaseNotes_explicitRangeToFile_writesFileOnly() throws Exception {
    Path out = tmp.resolve("notes/RELEASE.md");
    Files.createDirectories(out.getParent());
    Run r = Run.of("release-notes", "--repo", repo.toString(), "--from", "v1.0.0", "--to", "HEAD~1", "-o", out.toString());
    assertEquals(new Run(0, "", ""), r);
    String md = Files.readString(out);
    assertTrue(md.contains("release notes (#15)"), md);
    assertFalse(md.contains("escape"), md);
  }

  @Test
  void releaseNotes_unknownRef_exit1OneErrorLine() {
    Run r = Run.of("release-notes", "--repo", repo.toString(), "--from", "v9.9.9");
    assertEquals(1, r.code());
    assertEquals("error: unknown revision 'v9.9.9'\n", r.err());
    assertEquals("", r.out());
  }

  @Test
  void releaseNotes_failureWithOutput_leavesNoFile() throws Exception {
    Path out = tmp.resolve("RELEASE.md");
    Run r = Run.of("release-notes", "--repo", repo.toString(), "--from", "v9.9.9", "-o", out.toString());
    assertEquals(1, r.code());
    assertFalse(Files.exists(out), "nothing written when generation fails");
    Files.writeString(out, "previous notes");
    Run unwritable = Run.of("release-notes", "--repo", repo.toString(), "-o", tmp.resolve("no/such/dir/x.md").toString());
    assertEquals(1, unwritable.code());
    assertTrue(unwritable.err().startsWith("error: cannot write "), unwritable.err());
    assertEquals("previous notes", Files.readString(out), "an existing file is replaced only by a complete one");
    try (var files = Files.list(tmp)) {
      assertEquals(List.of(), files.filter(p -> p.getFileName().toString().startsWith(".")).toList(), "no temp files left");
    }
  }

  @Test
  void releaseNotes_notARepository_exit1() {
    Run r = Run.of("release-notes", "--repo", tmp.resolve("nowhere").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: not a directory: "), r.err());
    assertEquals(1, r.err().lines().count());
  }

  @Test
  void releaseNotes_shallowClone_exit1ClearError() throws Exception {
    Path clone = tmp.resolve("clone");
    Git.cloneRepository().setURI(repo.toUri().toString()).setDirectory(clone.toFile()).setDepth(1).call().close();
    Run r = Run.of("release-notes", "--repo", clone.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: the repository is a shallow clone"), r.err());
    assertEquals(1, r.err().lines().count());
  }

  @Test
  void releaseNotes_badRepoUrl_usageError() {
    Run r = Run.of("release-notes", "--repo", repo.toString(), "--repo-url", "javascript:alert(1)");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: repository URL must be an http(s) address"), r.err());
    assertEquals(2, Run.of("release-notes", "--repo-url", "http://bad host/").code());
    assertEquals(2, Run.of("release-notes", "--bogus").code());
  }

  @Test
  void releaseNotes_help_exit0() {
    Run r = Run.of("release-notes", "--help");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("--repo-url=URL"), r.out());
  }
}
