#!/usr/bin/env bash
# Runtime dependency footprint of each published library module as a HOST application pulls it: a throwaway project that
# depends on just that module (from the local repository, so run `./mvnw install -DskipTests` first) and runs
# `dependency:list -DincludeScope=runtime`. Optional dependencies of the module are therefore not counted, exactly as a
# host does not get them. Prints a Markdown table: module, jars (the module's own jar included), MB (10^6 bytes), artifacts.
#
#   scripts/footprint.sh                   # every library module
#   scripts/footprint.sh secure-sandbox    # some modules
#
# Honours MAVEN_ARGS (e.g. -Dmaven.repo.local=…). The build keeps each module's list from growing unnoticed with the
# enforcer's runtime-footprint rule (see docs/ARCHITECTURE.md, "Dependency footprint").
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$root/bom/pom.xml" | head -1)"
mods="${*:-secure-core secure-web secure-audit secure-auth secure-auth-spring secure-sandbox secure-integrations secure-release}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
echo "| module | runtime jars | MB | artifacts (besides the module) |"
echo "|---|---:|---:|---|"
for m in $mods; do
  mkdir -p "$work/$m"
  cat >"$work/$m/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId><artifactId>footprint-$m</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>dev.secureyeoman</groupId><artifactId>$m</artifactId><version>$version</version></dependency>
  </dependencies>
  <build><plugins><plugin>
    <groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.9.0</version>
  </plugin></plugins></build>
</project>
POM
  "$root/mvnw" -B -q -f "$work/$m/pom.xml" dependency:list -DincludeScope=runtime \
    -DoutputAbsoluteArtifactFilename=true -DoutputFile="$work/$m.txt" >/dev/null
  # lines: group:artifact:type:version:scope:/path/to.jar [-- module …]
  grep -E '^ +[^ ]+:[^ ]+:jar:' "$work/$m.txt" | sed 's/ -- module.*//; s/^ *//' | sort >"$work/$m.list" || true
  n=0; bytes=0; names=()
  while IFS= read -r line; do
    path="${line##*:}"; coords="${line%:*}"
    n=$((n + 1)); bytes=$((bytes + $(stat -c %s "$path")))
    a="$(echo "$coords" | cut -d: -f2)"; [ "$a" = "$m" ] || names+=("$a")
  done <"$work/$m.list"
  mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1000000 }')
  echo "| \`$m\` | $n | $mb | ${names[*]:-} |"
done
