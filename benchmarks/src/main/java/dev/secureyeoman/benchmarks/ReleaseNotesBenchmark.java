package dev.secureyeoman.benchmarks;

import dev.secureyeoman.release.GitLogFormat;
import dev.secureyeoman.release.ReleaseNotes;
import dev.secureyeoman.release.ReleaseNotesGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Question: how long does {@code secureyeoman release-notes} (JGit walk + parse + group + Markdown) take over a
 * 10 000-commit range, against {@code git describe} + {@code git log --format=…} piped into the same parser and renderer
 * (the raw baseline)? Goal: ≤ 2× the baseline.
 *
 * <p>The repository is generated once per trial with JGit (seeded messages: types, scopes, bodies, footers, PR
 * references; 12 authors), tagged at the first commit, and packed with JGit's gc, as a cloned repository would be.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ReleaseNotesBenchmark -f 1 -wi 3 -i 5 -w 2 -r 2}. The
 * generator also runs alone: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.secureyeoman.benchmarks.ReleaseNotesBenchmark DIR [COMMITS]} (for timing the CLI on it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ReleaseNotesBenchmark {
  /** Commits in the generated history. */
  public static final int COMMITS = 10_000;

  private static final String[] TYPES = {"feat", "fix", "docs", "perf", "refactor", "test", "build", "ci", "chore"};

  private Path dir;

  /**
   * Generates the repository.
   *
   * @throws IOException if it cannot be written
   */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    dir = Files.createTempDirectory("release-notes-bench");
    generate(dir, COMMITS);
  }

  /**
   * Deletes the repository.
   *
   * @throws IOException if it cannot be deleted
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * SDK: what {@code secureyeoman release-notes --repo DIR} does.
   *
   * @return the Markdown
   * @throws Exception if reading fails
   */
  @Benchmark
  public String jgitReleaseNotes() throws Exception {
    return ReleaseNotesGenerator.builder().repository(dir).build().generate().toMarkdown();
  }

  /**
   * Baseline: {@code git describe --tags --abbrev=0 HEAD^} and {@code git log --no-merges --format=…} piped into the
   * same parser, grouping and Markdown writer.
   *
   * @return the Markdown
   * @throws Exception if git fails
   */
  @Benchmark
  public String gitLogPipedIntoParser() throws Exception {
    String tag = run("describe", "--tags", "--abbrev=0", "HEAD^").strip();
    String log = run("log", "--no-merges", "--format=" + GitLogFormat.FORMAT, tag + "..HEAD");
    return ReleaseNotes.builder()
        .date(LocalDate.now(ZoneOffset.UTC))
        .from(tag)
        .commits(GitLogFormat.parse(log))
        .build()
        .toMarkdown();
  }

  private String run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) {
      throw new IOException("git " + String.join(" ", args) + " failed");
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  /**
   * Writes a linear history of {@code commits} commits into a new repository at {@code dir}, tags the first
   * {@code v0.1.0}, and packs it.
   *
   * @param dir an empty or missing directory
   * @param commits how many commits
   * @throws IOException if writing fails
   */
  public static void generate(Path dir, int commits) throws IOException {
    Random rnd = new Random(15);
    try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
      Repository repo = git.getRepository();
      ObjectId parent = null;
      try (ObjectInserter ins = repo.newObjectInserter()) {
        Instant t = Instant.parse("2025-01-01T00:00:00Z");
        for (int i = 0; i < commits; i++) {
          TreeFormatter tree = new TreeFormatter();
          tree.append("f.txt", org.eclipse.jgit.lib.FileMode.REGULAR_FILE,
              ins.insert(Constants.OBJ_BLOB, ("change " + i + "\n").getBytes(StandardCharsets.UTF_8)));
          CommitBuilder cb = new CommitBuilder();
          cb.setTreeId(ins.insert(tree));
          if (parent != null) {
            cb.setParentId(parent);
          }
          int a = rnd.nextInt(12);
          t = t.plusSeconds(60 + rnd.nextInt(600));
          PersonIdent who = new PersonIdent("Author " + a, "author" + a + "@example.org", t, ZoneOffset.UTC);
          cb.setAuthor(who);
          cb.setCommitter(who);
          cb.setMessage(message(rnd, i));
          parent = ins.insert(cb);
          if (i == 0) {
            RefUpdate tag = repo.updateRef(Constants.R_TAGS + "v0.1.0");
            tag.setNewObjectId(parent);
            tag.update();
          }
        }
        ins.flush();
      }
      RefUpdate head = repo.updateRef(Constants.R_HEADS + "main");
      head.setNewObjectId(parent);
      head.forceUpdate();
      git.gc().call();
    } catch (org.eclipse.jgit.api.errors.GitAPIException e) {
      throw new IOException(e);
    }
  }

  private static String message(Random rnd, int i) {
    StringBuilder sb = new StringBuilder();
    if (rnd.nextInt(10) == 0) {
      sb.append("Update component ").append(i);
    } else {
      sb.append(TYPES[rnd.nextInt(TYPES.length)]);
      if (rnd.nextBoolean()) {
        sb.append("(mod").append(rnd.nextInt(20)).append(')');
      }
      if (rnd.nextInt(50) == 0) {
        sb.append('!');
      }
      sb.append(": change number ").append(i).append(" of the component");
      if (rnd.nextInt(3) == 0) {
        sb.append(" (#").append(1000 + i).append(')');
      }
    }
    if (rnd.nextBoolean()) {
      sb.append("\n\nWhy: this body explains the change in a sentence or two,\nwrapped like a real commit message.");
    }
    if (rnd.nextInt(4) == 0) {
      sb.append("\n\nRefs: #").append(i).append("\nSigned-off-by: Author <author@example.org>");
    }
    return sb.append('\n').toString();
  }

  /**
   * Generates a repository for timing the CLI.
   *
   * @param args {@code DIR [COMMITS]}
   * @throws IOException if writing fails
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: ReleaseNotesBenchmark DIR [COMMITS]");
    }
    generate(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : COMMITS);
  }
}
