package dev.secureyeoman.cli;

import dev.secureyeoman.core.AtomicFiles;
import dev.secureyeoman.release.ReleaseNotes;
import dev.secureyeoman.release.ReleaseNotesGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code secureyeoman release-notes [--repo DIR] [--from REF] [--to REF] [--repo-url URL] [-o FILE]} (DESIGN §6):
 * Markdown release notes from the Conventional Commits of a git repository, read with JGit.
 */
@Command(
    name = "release-notes",
    mixinStandardHelpOptions = true,
    description = {
      "Write Markdown release notes from the Conventional Commits between two revisions.",
      "Breaking changes first, then Features, Bug Fixes, Performance, Documentation, Refactoring, Tests, Build/CI,"
          + " Chores, Reverts, Other; contributors last (.mailmap applied). Merge commits are skipped."
    })
public final class ReleaseNotesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".", description = "Repository (default: ${DEFAULT-VALUE}).")
  Path repo;

  @Option(
      names = "--from",
      paramLabel = "REF",
      description = "Start after this revision (default: the newest tag reachable from --to; whole history if none).")
  String from;

  @Option(names = "--to", paramLabel = "REF", defaultValue = "HEAD", description = "End at this revision (default: ${DEFAULT-VALUE}).")
  String to;

  @Option(
      names = "--repo-url",
      paramLabel = "URL",
      description = "Repository web address, e.g. https://github.com/OWNER/REPO: links (#123), commits and the comparison.")
  String repoUrl;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE (atomically) instead of stdout.")
  Path output;

  /** Creates the command (picocli instantiates it). */
  public ReleaseNotesCommand() {}

  @Override
  public Integer call() throws Exception { // ReleaseNotesException: one error line, exit 1
    ReleaseNotesGenerator.Builder b = ReleaseNotesGenerator.builder().repository(repo);
    try {
      if (from != null) {
        b.from(from);
      }
      b.to(to);
      if (repoUrl != null) {
        b.repositoryUrl(new URI(repoUrl));
      }
    } catch (IllegalArgumentException | URISyntaxException e) {
      String what = e instanceof URISyntaxException ? "--repo-url is not a valid URL: " + repoUrl : e.getMessage();
      throw new ParameterException(spec.commandLine(), what);
    }
    ReleaseNotes notes = b.build().generate();
    String markdown = notes.toMarkdown();
    if (output == null) {
      spec.commandLine().getOut().print(markdown);
      spec.commandLine().getOut().flush();
    } else {
      try {
        AtomicFiles.write(output, markdown.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + output + ": " + e.getMessage(), e);
      }
    }
    return SecureYeomanCli.EXIT_OK;
  }
}
