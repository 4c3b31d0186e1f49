package dev.secureyeoman.release;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/** A real git repository in a temporary directory, written with JGit; commit times advance one minute per commit. */
final class TestRepo implements AutoCloseable {
  static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  final Path dir;
  final Git git;
  private Instant time = EPOCH;
  private int files;

  private TestRepo(Path dir, Git git) {
    this.dir = dir;
    this.git = git;
  }

  static TestRepo init(Path dir) throws GitAPIException {
    return new TestRepo(dir, Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call());
  }

  RevCommit commit(String message) throws GitAPIException, IOException {
    return commit(message, "Ada Lovelace", "ada@example.org");
  }

  /** Commits a new file (so every commit changes the tree) as the given author. */
  RevCommit commit(String message, String name, String email) throws GitAPIException, IOException {
    Path f = dir.resolve("f" + (files++) + ".txt");
    Files.writeString(f, message);
    git.add().addFilepattern(f.getFileName().toString()).call();
    time = time.plusSeconds(60);
    PersonIdent who = new PersonIdent(name, email, time, ZoneOffset.UTC);
    return git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
  }

  void lightweightTag(String name) throws GitAPIException {
    git.tag().setName(name).setAnnotated(false).call();
  }

  void annotatedTag(String name, Instant when) throws GitAPIException {
    git.tag()
        .setName(name)
        .setAnnotated(true)
        .setSigned(false)
        .setMessage("release " + name)
        .setTagger(new PersonIdent("Release Bot", "bot@example.org", when, ZoneOffset.UTC))
        .call();
  }

  @Override
  public void close() {
    git.close();
  }
}
