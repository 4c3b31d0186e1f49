/**
 * SecureYeoman release tooling: a Conventional Commits 1.0.0 parser and Markdown release notes read from git history
 * with JGit. Only {@code dev.secureyeoman.release} is exported; the JGit-backed reader and the renderer live in
 * {@code dev.secureyeoman.release.internal}.
 */
module dev.secureyeoman.release {
  requires transitive org.jspecify; // @NullMarked/@Nullable appear in the API
  requires org.eclipse.jgit;

  exports dev.secureyeoman.release;
}
