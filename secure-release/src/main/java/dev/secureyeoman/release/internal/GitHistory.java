package dev.secureyeoman.release.internal;

import dev.secureyeoman.release.Commit;
import dev.secureyeoman.release.CommitMessage;
import dev.secureyeoman.release.Mailmap;
import dev.secureyeoman.release.Person;
import dev.secureyeoman.release.ReleaseNotesException;
import dev.secureyeoman.release.ReleaseNotesException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.RevWalkException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.RevFilter;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.jspecify.annotations.Nullable;

/**
 * Reads a commit range from a git repository with JGit: resolves revisions (annotated tags peeled to their commits),
 * finds the newest tag reachable from the end of the range, walks the range newest first (merge commits skipped unless
 * asked for), reads {@code .mailmap}, and refuses a shallow clone whose boundary the range reaches. Never runs
 * {@code git}; never reads environment variables.
 */
public final class GitHistory implements AutoCloseable {
  private final Repository repo;
  private final Set<ObjectId> shallow;
  private @Nullable Map<ObjectId, List<Tag>> tagsByCommit;

  /** A tag and, for annotated tags, its date. */
  private record Tag(String name, @Nullable LocalDate date) {}

  /**
   * What was read.
   *
   * @param commits the commits, newest first
   * @param fromName the start of the range as shown (the tag or the revision given), or null for the whole history
   * @param toName the end of the range as shown (its tag, or an abbreviated id)
   * @param version the tag on the last commit (the release being made), or null
   * @param versionDate the tag's date (tagger date for annotated tags, else the commit date), or null
   * @param mailmap the repository's mailmap
   */
  public record Range(
      List<Commit> commits,
      @Nullable String fromName,
      String toName,
      @Nullable String version,
      @Nullable LocalDate versionDate,
      Mailmap mailmap) {}

  private GitHistory(Repository repo, Set<ObjectId> shallow) {
    this.repo = repo;
    this.shallow = shallow;
  }

  /**
   * Opens the repository containing {@code dir} (the directory itself, or a parent, as {@code git} does).
   *
   * @param dir a work tree, a directory inside it, or a bare repository
   * @return the history reader; close it
   * @throws ReleaseNotesException NOT_A_REPOSITORY or READ_FAILED
   */
  public static GitHistory open(Path dir) throws ReleaseNotesException {
    if (!Files.isDirectory(dir)) {
      throw new ReleaseNotesException(Reason.NOT_A_REPOSITORY, "not a directory: " + dir);
    }
    FileRepositoryBuilder builder = new FileRepositoryBuilder().setMustExist(true).findGitDir(dir.toFile());
    if (builder.getGitDir() == null) {
      throw new ReleaseNotesException(Reason.NOT_A_REPOSITORY, "not a git repository (or any parent): " + dir);
    }
    Repository repo = null;
    try {
      repo = builder.build();
      return new GitHistory(repo, repo.getObjectDatabase().getShallowCommits());
    } catch (IOException e) {
      if (repo != null) {
        repo.close();
      }
      throw new ReleaseNotesException(Reason.READ_FAILED, "cannot open git repository " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a range.
   *
   * @param fromRev the revision the range starts after, or null for the newest tag reachable from {@code toRev} (not
   *     counting tags on {@code toRev} itself), or the whole history when there is none
   * @param toRev the revision the range ends at
   * @param includeMerges whether merge commits are listed
   * @return the range
   * @throws ReleaseNotesException UNKNOWN_REF, INVALID_RANGE, SHALLOW_CLONE or READ_FAILED
   */
  public Range read(@Nullable String fromRev, String toRev, boolean includeMerges) throws ReleaseNotesException {
    try (RevWalk walk = new RevWalk(repo)) {
      RevCommit to = walk.parseCommit(resolve(toRev));
      List<Tag> toTags = tagsOn(to, toRev);
      String fromName;
      RevCommit from;
      if (fromRev != null) {
        from = walk.parseCommit(resolve(fromRev));
        fromName = fromRev;
        if (!from.equals(to) && walk.isMergedInto(to, from)) {
          throw new ReleaseNotesException(
              Reason.INVALID_RANGE,
              "--to " + toRev + " is an ancestor of --from " + fromRev + ": the range is empty (are they swapped?)");
        }
        walk.reset();
      } else {
        from = newestTaggedAncestor(walk, to);
        fromName = from == null ? null : tagsOn(from, null).get(0).name();
        walk.reset();
      }
      String version = toTags.isEmpty() ? null : toTags.get(0).name();
      LocalDate versionDate = null;
      if (version != null) {
        versionDate = toTags.get(0).date() != null ? toTags.get(0).date() : dateOf(to.getCommitterIdent());
      }
      List<Commit> commits = walkRange(walk, to, from, includeMerges); // disposes commit bodies as it goes
      String toName = version != null ? version : to.abbreviate(7).name();
      return new Range(commits, fromName, toName, version, versionDate, mailmap());
    } catch (IOException e) {
      throw readFailure(e);
    } catch (RevWalkException e) { // the walk's iterator wraps I/O errors (a lost object, a damaged pack)
      throw readFailure(e.getCause() instanceof IOException io ? io : new IOException(e.getMessage(), e));
    }
  }

  private ReleaseNotesException readFailure(IOException e) {
    if (e instanceof MissingObjectException missing) {
      if (!shallow.isEmpty()) {
        return shallowError(missing.getObjectId());
      }
      return new ReleaseNotesException(
          Reason.READ_FAILED,
          "git object " + missing.getObjectId().abbreviate(7).name() + " is missing (corrupt repository?)",
          e);
    }
    return new ReleaseNotesException(Reason.READ_FAILED, "cannot read git history: " + e.getMessage(), e);
  }

  private ObjectId resolve(String rev) throws ReleaseNotesException, IOException {
    ObjectId id;
    try {
      id = repo.resolve(rev + "^{commit}");
    } catch (AmbiguousObjectException e) {
      throw new ReleaseNotesException(Reason.UNKNOWN_REF, "ambiguous revision '" + rev + "'", e);
    } catch (IncorrectObjectTypeException e) {
      throw new ReleaseNotesException(Reason.UNKNOWN_REF, "revision '" + rev + "' does not point to a commit", e);
    } catch (RevisionSyntaxException e) {
      throw new ReleaseNotesException(Reason.UNKNOWN_REF, "invalid revision '" + rev + "'", e);
    }
    if (id == null) {
      String hint = Constants.HEAD.equals(rev) ? " (empty repository?)" : "";
      throw new ReleaseNotesException(Reason.UNKNOWN_REF, "unknown revision '" + rev + "'" + hint);
    }
    return id;
  }

  private @Nullable RevCommit newestTaggedAncestor(RevWalk walk, RevCommit to)
      throws IOException, ReleaseNotesException {
    walk.sort(RevSort.COMMIT_TIME_DESC);
    walk.markStart(to);
    for (RevCommit c : walk) {
      if (!c.equals(to) && !tags().getOrDefault(c, List.of()).isEmpty()) {
        return c;
      }
      if (shallow.contains(c)) {
        throw shallowError(c);
      }
    }
    return null;
  }

  private List<Commit> walkRange(RevWalk walk, RevCommit to, @Nullable RevCommit from, boolean includeMerges)
      throws IOException, ReleaseNotesException {
    walk.sort(RevSort.COMMIT_TIME_DESC);
    walk.setRetainBody(true);
    if (!includeMerges) {
      walk.setRevFilter(RevFilter.NO_MERGES);
    }
    walk.markStart(to);
    if (from != null) {
      walk.markUninteresting(from);
    }
    List<Commit> out = new ArrayList<>();
    for (RevCommit c : walk) {
      if (shallow.contains(c)) {
        throw shallowError(c);
      }
      PersonIdent a = c.getAuthorIdent();
      out.add(
          new Commit(
              c.name(),
              new Person(a.getName(), a.getEmailAddress()),
              a.getWhenAsInstant(),
              CommitMessage.parse(c.getFullMessage())));
      c.disposeBody();
    }
    return out;
  }

  private static ReleaseNotesException shallowError(ObjectId boundary) {
    return new ReleaseNotesException(
        Reason.SHALLOW_CLONE,
        "the repository is a shallow clone and the range reaches its boundary at "
            + boundary.abbreviate(7).name()
            + ": fetch the full history and the tags (git fetch --unshallow --tags; in CI: fetch-depth 0)");
  }

  private List<Tag> tagsOn(RevCommit c, @Nullable String preferred) throws IOException {
    List<Tag> tags = new ArrayList<>(tags().getOrDefault(c, List.of()));
    if (preferred != null) {
      String name = preferred.startsWith(Constants.R_TAGS) ? preferred.substring(Constants.R_TAGS.length()) : preferred;
      tags.sort(Comparator.comparing((Tag t) -> !t.name().equals(name))); // the tag the user named first
    }
    return tags;
  }

  private Map<ObjectId, List<Tag>> tags() throws IOException {
    if (tagsByCommit != null) {
      return tagsByCommit;
    }
    Map<ObjectId, List<Tag>> map = new HashMap<>();
    try (RevWalk walk = new RevWalk(repo)) {
      for (Ref ref : repo.getRefDatabase().getRefsByPrefix(Constants.R_TAGS)) {
        ObjectId id = ref.getObjectId();
        if (id == null) {
          continue;
        }
        RevObject obj;
        LocalDate date = null;
        try {
          RevObject first = walk.parseAny(id);
          if (first instanceof RevTag tag && tag.getTaggerIdent() != null) {
            date = dateOf(tag.getTaggerIdent()); // annotated: the tagger's date is the release date
          }
          obj = walk.peel(first); // annotated (possibly nested) tags to what they point at
        } catch (MissingObjectException e) {
          continue; // outside a shallow clone's history
        }
        if (obj instanceof RevCommit commit) {
          String name = ref.getName().substring(Constants.R_TAGS.length());
          map.computeIfAbsent(commit.copy(), k -> new ArrayList<>()).add(new Tag(name, date));
        }
      }
    }
    for (List<Tag> list : map.values()) {
      list.sort(Comparator.comparing(Tag::name, VersionOrder.INSTANCE).reversed()); // highest version first
    }
    tagsByCommit = map;
    return map;
  }

  private static LocalDate dateOf(PersonIdent ident) {
    return LocalDate.ofInstant(ident.getWhenAsInstant(), ident.getZoneId() == null ? ZoneOffset.UTC : ident.getZoneId());
  }

  private Mailmap mailmap() throws IOException, ReleaseNotesException {
    byte[] bytes = null;
    if (!repo.isBare()) {
      Path file = repo.getWorkTree().toPath().resolve(".mailmap");
      if (Files.isRegularFile(file)) {
        checkSize(Files.size(file));
        bytes = Files.readAllBytes(file);
      }
    }
    if (bytes == null) {
      ObjectId head = repo.resolve(Constants.HEAD + "^{tree}");
      if (head != null) {
        try (TreeWalk tw = TreeWalk.forPath(repo, ".mailmap", head)) {
          if (tw != null) {
            ObjectLoader loader = repo.open(tw.getObjectId(0));
            checkSize(loader.getSize());
            bytes = loader.getBytes();
          }
        }
      }
    }
    return bytes == null ? Mailmap.empty() : Mailmap.parse(new String(bytes, StandardCharsets.UTF_8));
  }

  private static void checkSize(long size) throws ReleaseNotesException {
    if (size > Mailmap.MAX_LENGTH) {
      throw new ReleaseNotesException(
          Reason.READ_FAILED, ".mailmap is larger than " + Mailmap.MAX_LENGTH + " bytes; refusing to read it");
    }
  }

  @Override
  public void close() {
    repo.close();
  }
}
