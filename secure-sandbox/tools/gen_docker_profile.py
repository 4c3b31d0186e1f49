#!/usr/bin/env python3
"""Generates DockerDefaultProfile.java: the syscall names Docker's default seccomp profile allows unconditionally to a
process without capabilities, per architecture.

Input: moby's default profile (vendor/github.com/moby/profiles/seccomp/default.json), kept unchanged as the test
oracle secure-sandbox/src/test/resources/vectors/moby/seccomp-default.json (provenance in the README beside it).

Derivation, for a process with NO capabilities (every sandbox here drops all of them):
  - entries whose "includes" need a capability are skipped; "excludes" on capabilities are satisfied;
  - "includes.minKernel" is satisfied (the runner needs a far newer kernel anyway);
  - "includes.arches" selects architectures (amd64 -> x86_64, arm64 -> aarch64);
  - only unconditional SCMP_ACT_ALLOW entries are listed here; the few conditional entries (socket families,
    personality values, clone without namespace flags) and clone3 -> ENOSYS are written out in
    SeccompProfiles.dockerCompatible(), and DockerCompatibleProfileTest checks them against this JSON.
Names our syscall tables do not know are kept: the filter compiler skips names an architecture lacks.

Command (from the repository root):
  python3 secure-sandbox/tools/gen_docker_profile.py \\
    secure-sandbox/src/test/resources/vectors/moby/seccomp-default.json \\
    > secure-sandbox/src/main/java/dev/secureyeoman/sandbox/seccomp/DockerDefaultProfile.java
"""
import json
import sys

MOBY_COMMIT = "b985e2313a8676e18072b442911fc8f64f17d440"
ARCHES = {"x86_64": "amd64", "aarch64": "arm64"}


def applies(entry, docker_arch):
    inc = entry.get("includes") or {}
    if inc.get("caps"):
        return False
    arches = inc.get("arches")
    if arches and docker_arch not in arches:
        return False
    exc = entry.get("excludes") or {}
    if exc.get("arches") and docker_arch in exc["arches"]:
        return False
    return True


def names(profile, docker_arch):
    out = set()
    for e in profile["syscalls"]:
        if e["action"] == "SCMP_ACT_ALLOW" and not e.get("args") and applies(e, docker_arch):
            out.update(e["names"])
    return out


def java_list(name, values, doc):
    body = []
    line = "     "
    for v in sorted(values):
        item = ' "%s",' % v
        if len(line) + len(item) > 116:
            body.append(line)
            line = "     "
        line += item
    body.append(line.rstrip(","))
    return "  /** %s */\n  static final List<String> %s = List.of(\n%s);\n" % (doc, name, "\n".join(body))


def main():
    profile = json.load(open(sys.argv[1]))
    common = names(profile, "amd64") & names(profile, "arm64")
    x86 = names(profile, "amd64") - common
    arm = names(profile, "arm64") - common
    print("""package dev.secureyeoman.sandbox.seccomp;

import java.util.List;

// GENERATED FILE - do not edit.
// Source: moby/moby %s, vendor/github.com/moby/profiles/seccomp/default.json (Apache-2.0),
// kept as secure-sandbox/src/test/resources/vectors/moby/seccomp-default.json.
// Command: python3 secure-sandbox/tools/gen_docker_profile.py \\
//   secure-sandbox/src/test/resources/vectors/moby/seccomp-default.json \\
//   > secure-sandbox/src/main/java/dev/secureyeoman/sandbox/seccomp/DockerDefaultProfile.java

/** Syscalls Docker's default profile allows unconditionally to a process without capabilities. Generated. */
final class DockerDefaultProfile {
  private DockerDefaultProfile() {}

  /** The moby commit the names come from. */
  static final String SOURCE = "moby/moby %s";

%s
%s
%s}""" % (MOBY_COMMIT, MOBY_COMMIT,
          java_list("ALLOWED", common, "Allowed on x86_64 and aarch64."),
          java_list("X86_64_ONLY", x86, "Allowed on x86_64 only (amd64 entries)."),
          java_list("AARCH64_ONLY", arm, "Allowed on aarch64 only (arm64 entries).")))


if __name__ == "__main__":
    main()
