/**
 * Release notes from Conventional Commits.
 *
 * <ul>
 *   <li>{@link dev.secureyeoman.release.CommitMessage} parses any commit message (Conventional Commits 1.0.0: type,
 *       scope, {@code !}, description, body, footers including {@code BREAKING CHANGE}) and never throws.
 *   <li>{@link dev.secureyeoman.release.ReleaseNotesGenerator} reads a range of a git repository with JGit and
 *       {@link dev.secureyeoman.release.ReleaseNotes} groups it by {@link dev.secureyeoman.release.SectionLayout} and
 *       renders Markdown for GitHub Releases (breaking changes first, pull-request and commit links, contributors
 *       de-duplicated through {@link dev.secureyeoman.release.Mailmap}).
 * </ul>
 *
 * <p>Security notes: commit text is untrusted input. The parser is fuzzed and uses only linear-time patterns; the
 * Markdown writer escapes {@code < > [ ] \ &} so a commit subject cannot inject HTML or links into a release page;
 * {@code .mailmap} is read up to 1 MiB; e-mail addresses are never printed (a name-less author is the only exception).
 * Non-goals: signature verification of commits or tags, and hosting-specific APIs (PR titles or user handles).
 */
@NullMarked
package dev.secureyeoman.release;

import org.jspecify.annotations.NullMarked;
