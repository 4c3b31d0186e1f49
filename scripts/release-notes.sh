#!/usr/bin/env bash
# Release notes for THIS repository, from its Conventional Commits (see docs/release-notes.md).
#
#   scripts/release-notes.sh                      # since the newest tag, to stdout
#   scripts/release-notes.sh -o RELEASE_NOTES.md  # any `secureyeoman release-notes` option may follow
#
# Builds secure-cli/target/secureyeoman.jar first when it is missing or older than the CLI/release sources.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/secure-cli/target/secureyeoman.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root/secure-cli/src/main" "$root/secure-release/src/main" -newer "$jar" -type f | head -1)" ]; then
  echo "release-notes: building $jar" >&2
  "$root/mvnw" -B -q -f "$root/pom.xml" -DskipTests -Dsecure.publish.skip=true -pl secure-cli -am package >&2
fi
exec java -jar "$jar" release-notes --repo "$root" \
  --repo-url "${SECUREYEOMAN_REPO_URL:-https://github.com/secureyeoman/secureyeoman-java}" "$@"
