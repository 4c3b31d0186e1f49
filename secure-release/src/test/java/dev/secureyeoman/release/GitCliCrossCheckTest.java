package dev.secureyeoman.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.MergeCommand;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JGit reader against the real {@code git} (an independent implementation): on a seeded random history with merges,
 * tags, bodies, footers and a {@code .mailmap}, {@code git log} piped into {@link GitLogFormat} yields the same release
 * notes, and {@code git shortlog} the same contributors. Needs the {@code git} package ({@code .ci/run} installs it).
 */
class GitCliCrossCheckTest {
  private static final String[] TYPES = {"feat", "fix", "docs", "perf", "refactor", "test", "build", "ci", "chore", "wip"};
  private static final String[][] AUTHORS = {
    {"Ada Lovelace", "ada@example.org"}, {"ada", "ada@laptop.local"}, {"Bo Li", "bo@example.org"},
    {"Cy Young", "cy@example.org"}, {"Dee", "DEE@Example.org"}
  };

  @TempDir Path tmp;

  @Test
  void jgitReader_matchesGitLogAndShortlog() throws Exception {
    Random rnd = new Random(15);
    try (TestRepo repo = TestRepo.init(tmp)) {
      Files.writeString(tmp.resolve(".mailmap"), "Ada Lovelace <ada@example.org> <ada@laptop.local>\nDee Dee <dee@example.org>\n");
      for (int i = 0; i < 160; i++) {
        String[] a = AUTHORS[rnd.nextInt(AUTHORS.length)];
        repo.commit(message(rnd, i), a[0], a[1]);
        if (i == 40) {
          repo.annotatedTag("v1.0.0", Instant.parse("2026-01-02T00:00:00Z"));
        }
        if (i % 50 == 25) { // a side branch merged back
          repo.git.checkout().setCreateBranch(true).setName("side" + i).call();
          repo.commit("feat(side): branch work " + i, a[0], a[1]);
          repo.git.checkout().setName("main").call();
          repo.commit("fix: main work " + i, a[0], a[1]);
          repo.git.merge().include(repo.git.getRepository().resolve("side" + i))
              .setFastForward(MergeCommand.FastForwardMode.NO_FF).setCommit(false).call();
          PersonIdent who = new PersonIdent("Merger", "m@example.org", Instant.parse("2026-05-01T00:00:00Z").plusSeconds(i), ZoneOffset.UTC);
          repo.git.commit().setMessage("Merge branch 'side" + i + "'").setAuthor(who).setCommitter(who).setSign(false).call();
        }
      }
      Clock clock = Clock.fixed(Instant.parse("2026-11-24T00:00:00Z"), ZoneOffset.UTC);
      ReleaseNotes viaJgit = ReleaseNotesGenerator.builder().repository(tmp).clock(clock).build().generate();
      assertEquals("v1.0.0", viaJgit.from().orElseThrow());

      String log = git("log", "--no-merges", "--format=" + GitLogFormat.FORMAT, "v1.0.0..HEAD");
      List<Commit> commits = GitLogFormat.parse(log);
      ReleaseNotes viaGit =
          ReleaseNotes.builder()
              .title(viaJgit.title())
              .date(viaJgit.date())
              .from("v1.0.0")
              .to(viaJgit.to().orElseThrow())
              .mailmap(Mailmap.parse(Files.readString(tmp.resolve(".mailmap"))))
              .commits(commits)
              .build();
      assertTrue(commits.size() > 120, "the range holds the generated commits: " + commits.size());
      assertEquals(viaGit.toMarkdown(), viaJgit.toMarkdown());

      List<String> shortlog = new ArrayList<>();
      for (String line : git("shortlog", "-s", "--no-merges", "v1.0.0..HEAD").split("\n")) {
        if (!line.isBlank()) {
          shortlog.add(line.strip().split("\t", 2)[1]);
        }
      }
      shortlog.sort(String.CASE_INSENSITIVE_ORDER);
      assertEquals(shortlog, viaJgit.contributors(), "same people as git shortlog with the .mailmap");
    }
  }

  private static String message(Random rnd, int i) {
    String type = TYPES[rnd.nextInt(TYPES.length)];
    StringBuilder sb = new StringBuilder();
    if (rnd.nextInt(8) == 0) {
      sb.append("Plain subject number ").append(i);
    } else {
      sb.append(rnd.nextBoolean() ? type : type.toUpperCase(java.util.Locale.ROOT));
      if (rnd.nextBoolean()) {
        sb.append("(mod").append(rnd.nextInt(4)).append(')');
      }
      if (rnd.nextInt(10) == 0) {
        sb.append('!');
      }
      sb.append(": change ").append(i).append(" with: colon # hash");
      if (rnd.nextInt(3) == 0) {
        sb.append(" (#").append(100 + i).append(')');
      }
    }
    if (rnd.nextBoolean()) {
      sb.append("\n\nBody of ").append(i).append(".\nSecond line <b>.");
    }
    if (rnd.nextInt(5) == 0) {
      sb.append("\n\nBREAKING CHANGE: removed thing ").append(i).append("\nRefs #").append(i);
    }
    return sb.toString();
  }

  private String git(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("git", "-C", tmp.toString(), "-c", "log.showSignature=false"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
    pb.environment().put("HOME", tmp.toString());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IOException("the git command is needed for this cross-check (apt-get install -y git)", e);
    }
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "git finished");
    assertEquals(0, p.exitValue(), "git " + String.join(" ", args));
    return new String(out, StandardCharsets.UTF_8);
  }
}
