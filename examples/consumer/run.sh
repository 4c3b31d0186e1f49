#!/usr/bin/env bash
# Consumer check: a host project outside the reactor builds and runs against the PUBLISHED artifacts.
#
#   examples/consumer/run.sh              # deploys the reactor (tests skipped) into a temp file repository, then checks
#   examples/consumer/run.sh REPO_DIR     # checks a file repository already filled by
#                                         #   ./mvnw deploy -Dmaven.install.skip=true -DaltDeploymentRepository=secureyeoman-staging::file://REPO_DIR
#
# It never writes to ~/.m2: the consumer resolves into a temp local repository whose read-only tail is ~/.m2 (for
# third-party jars and plugins), and it fails if a SecureYeoman class was loaded from anywhere but that temp repository.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

repo="${1:-}"
if [ -z "$repo" ]; then
  repo="$work/staging"
  echo "consumer: deploying the reactor into $repo (tests skipped)"
  # head/tail local repository: even the resolver's metadata cache of the deployment stays out of ~/.m2
  "$root/mvnw" -B -q -f "$root/pom.xml" deploy -DskipTests -Djacoco.skip=true -Djacoco.check.skip=true \
    -Dmaven.install.skip=true -DaltDeploymentRepository="secureyeoman-staging::file://$repo" \
    -Dmaven.repo.local="$work/m2-build" -Dmaven.repo.local.tail="$HOME/.m2/repository"
fi
repo="$(cd "$repo" && pwd)"

# 1. every published module (the BOM's entries + the BOM + the parent POM) has its artifacts and metadata
version="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$root/bom/pom.xml" | head -1)"
fail=0
need() { # need DIR PATTERN WHAT
  if ! ls "$1"/$2 >/dev/null 2>&1; then echo "consumer: MISSING $3 ($1/$2)"; fail=1; fi
}
modules="$(grep -o '<artifactId>secure-[a-z0-9-]*</artifactId>' "$root/bom/pom.xml" | sed 's:</*artifactId>::g' | sort -u)"
for a in $modules secure-parent; do
  d="$repo/dev/secureyeoman/$a/$version"
  need "$d" "$a-*.pom" "POM of $a"
  need "$d" "$a-*-cyclonedx.json" "CycloneDX SBOM of $a"
  case "$a" in
    secure-bom|secure-parent) ;; # pom packaging: no classes, no sources/javadoc jars
    *)
      need "$d" "$a-*[0-9].jar" "jar of $a"
      need "$d" "$a-*-sources.jar" "sources jar of $a"
      need "$d" "$a-*-javadoc.jar" "javadoc jar of $a"
      ;;
  esac
done
for pom in "$repo"/dev/secureyeoman/secure-parent/"$version"/*.pom "$repo"/dev/secureyeoman/secure-bom/"$version"/*.pom; do
  for tag in '<url>' '<licenses>' '<scm' '<developers>' '<name>' '<description>'; do
    grep -q "$tag" "$pom" || { echo "consumer: $pom lacks $tag"; fail=1; }
  done
done
[ "$fail" -eq 0 ] || exit 1
echo "consumer: artifacts, sources, javadoc, SBOMs and POM metadata present for:" $modules

# 2. the consumer project resolves secure-bom + two modules without versions, compiles and runs
out="$work/consumer.log"
cp -r "$root/examples/consumer" "$work/project"
tail="$HOME/.m2/repository"
[ -d "$HOME/.m2/secureyeoman-ci" ] && tail="$tail,$HOME/.m2/secureyeoman-ci" # .ci/run's build cache
if ! "$root/mvnw" -B -f "$work/project/pom.xml" verify \
    -Dmaven.repo.local="$work/m2" -Dmaven.repo.local.tail="$tail" \
    -Dstaging.repo="file://$repo" -Dsecureyeoman.version="$version" >"$out" 2>&1; then
  cat "$out"; echo "consumer: FAILED to build or run"; exit 1
fi
grep '^consumer:' "$out"
grep -q '^consumer: OK$' "$out" || { cat "$out"; exit 1; }
if grep '^consumer: secure-.* from ' "$out" | grep -v -q " from $work/m2/dev/secureyeoman/"; then
  echo "consumer: FAILED: a SecureYeoman jar was not resolved from the deployed repository"; exit 1
fi
echo "consumer: passed"
