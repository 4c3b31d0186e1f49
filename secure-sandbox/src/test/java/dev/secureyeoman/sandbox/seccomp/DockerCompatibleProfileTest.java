package dev.secureyeoman.sandbox.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link SeccompProfiles#dockerCompatible()} against its source, Docker's default profile (moby commit in
 * {@code src/test/resources/vectors/moby/README.md}): every syscall our tables know, on both architectures, with
 * argument values around every condition, gets the action the JSON gives a process without capabilities — except the
 * documented, stricter deviations, which are asserted separately.
 */
class DockerCompatibleProfileTest {
  private static final Map<Arch, String> DOCKER_ARCH = Map.of(Arch.X86_64, "amd64", Arch.AARCH64, "arm64");
  private static JsonNode profile;
  private static final SeccompFilter DOCKER = SeccompProfiles.dockerCompatible();

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = DockerCompatibleProfileTest.class.getResourceAsStream("/vectors/moby/seccomp-default.json")) {
      profile = new ObjectMapper().readTree(in);
    }
  }

  /** libseccomp's semantics for one call of a process without capabilities: any matching ALLOW wins, then errno. */
  static SeccompAction oracle(Arch arch, String name, long... args) {
    boolean allowed = false;
    SeccompAction errno = null;
    for (JsonNode e : profile.get("syscalls")) {
      if (!names(e).contains(name) || !applies(e, DOCKER_ARCH.get(arch)) || !argsMatch(e, args)) {
        continue;
      }
      if (e.get("action").asText().equals("SCMP_ACT_ALLOW")) {
        allowed = true;
      } else if (e.get("action").asText().equals("SCMP_ACT_ERRNO")) {
        errno = SeccompAction.errno(e.get("errnoRet").asInt());
      }
    }
    if (allowed) {
      return SeccompAction.allow();
    }
    return errno != null ? errno : SeccompAction.errno(profile.get("defaultErrnoRet").asInt());
  }

  private static List<String> names(JsonNode e) {
    List<String> out = new ArrayList<>();
    e.get("names").forEach(n -> out.add(n.asText()));
    return out;
  }

  private static boolean applies(JsonNode e, String arch) {
    JsonNode inc = e.get("includes");
    if (inc != null && !inc.isEmpty()) {
      if (inc.has("caps")) {
        return false; // we never hold a capability
      }
      if (inc.has("arches") && !contains(inc.get("arches"), arch)) {
        return false;
      }
    }
    JsonNode exc = e.get("excludes");
    return exc == null || !exc.has("arches") || !contains(exc.get("arches"), arch);
  }

  private static boolean contains(JsonNode array, String value) {
    for (JsonNode v : array) {
      if (v.asText().equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean argsMatch(JsonNode e, long[] args) {
    JsonNode conds = e.get("args");
    if (conds == null || conds.isNull()) {
      return true;
    }
    for (JsonNode c : conds) {
      long arg = args.length > c.get("index").asInt() ? args[c.get("index").asInt()] : 0;
      long value = c.get("value").asLong();
      long two = c.has("valueTwo") ? c.get("valueTwo").asLong() : 0;
      boolean ok;
      switch (c.get("op").asText()) {
        case "SCMP_CMP_EQ":
          ok = arg == value;
          break;
        case "SCMP_CMP_NE":
          ok = arg != value;
          break;
        case "SCMP_CMP_LT":
          ok = Long.compareUnsigned(arg, value) < 0;
          break;
        case "SCMP_CMP_LE":
          ok = Long.compareUnsigned(arg, value) <= 0;
          break;
        case "SCMP_CMP_GT":
          ok = Long.compareUnsigned(arg, value) > 0;
          break;
        case "SCMP_CMP_GE":
          ok = Long.compareUnsigned(arg, value) >= 0;
          break;
        case "SCMP_CMP_MASKED_EQ":
          ok = (arg & value) == two;
          break;
        default:
          throw new AssertionError("operator not handled: " + c);
      }
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Argument vectors around every condition the JSON uses (families, personalities, clone flags). */
  private static List<long[]> samples() {
    List<long[]> out = new ArrayList<>();
    for (long v = 0; v <= 48; v++) {
      out.add(new long[] {v, 1, 0});
    }
    for (long v : new long[] {0x8, 0x20000, 0x20008, 0xFFFFFFFFL, 0x40000, 0x10000000L, 0x7E020000L, 0x11L,
        0x3D0F00L, 0x40000000L | 0x11}) {
      out.add(new long[] {v, 0x11, 0});
    }
    return out;
  }

  @Test
  void everySyscallOfOurTables_matchesDockersDefaultProfile() {
    int compared = 0;
    for (Arch arch : Arch.values()) {
      for (int nr = 0; nr < 1024; nr++) {
        String name = arch.syscallName(nr).orElse(null);
        if (name == null || name.equals("ioctl")) {
          continue; // ioctl: TIOCSTI/TIOCLINUX deviation, asserted below
        }
        for (long[] args : samples()) {
          assertEquals(oracle(arch, name, args), DOCKER.evaluate(arch, name, args),
              name + " on " + arch + " with arg0 " + Long.toHexString(args[0]));
          compared++;
        }
      }
    }
    assertTrue(compared > 10_000, "compared " + compared);
  }

  @Test
  void meantToAllow_ptraceProcessVmModifyLdtAfUnix() {
    for (Arch arch : Arch.values()) {
      for (String s : List.of("ptrace", "process_vm_readv", "process_vm_writev")) {
        assertEquals(SeccompAction.allow(), DOCKER.evaluate(arch, s));
        assertEquals(SeccompAction.errno(SeccompAction.EPERM), SeccompProfiles.defaultAllowList().evaluate(arch, s));
      }
      assertEquals(SeccompAction.allow(), DOCKER.evaluate(arch, "socket", SocketDomain.UNIX.value(), 1));
      assertEquals(SeccompAction.allow(), DOCKER.evaluate(arch, "socket", 17, 3)); // AF_PACKET (CAP_NET_RAW decides)
    }
    assertEquals(SeccompAction.allow(), DOCKER.evaluate(Arch.X86_64, "modify_ldt"));
    assertEquals(SeccompAction.errno(SeccompAction.EPERM),
        SeccompProfiles.defaultAllowList().evaluate(Arch.X86_64, "modify_ldt"));
    assertTrue(DOCKER.problems().isEmpty(), DOCKER.problems().toString());
  }

  @Test
  void deviations_areStricterThanDocker() {
    for (Arch arch : Arch.values()) {
      // terminal input injection stays refused
      assertEquals(SeccompAction.allow(), oracle(arch, "ioctl", 0, SeccompProfiles.TIOCSTI));
      assertEquals(SeccompAction.errno(SeccompAction.EPERM), DOCKER.evaluate(arch, "ioctl", 0, SeccompProfiles.TIOCSTI));
      assertEquals(SeccompAction.allow(), DOCKER.evaluate(arch, "ioctl", 0, 0x5401)); // TCGETS
      // a family with high bits set: the kernel reads an int (AF_VSOCK here), libseccomp compares 64 bits
      long vsockWithHighBits = 0x1_0000_0000L | 40;
      assertEquals(SeccompAction.allow(), oracle(arch, "socket", vsockWithHighBits));
      assertEquals(SeccompAction.errno(SeccompAction.EPERM), DOCKER.evaluate(arch, "socket", vsockWithHighBits));
      // foreign architectures are killed (Docker allows i386 and x32 system calls)
      assertEquals(SeccompAction.killProcess(), DOCKER.badArchAction());
    }
  }

  @Test
  void withoutUnixSockets_andRestrictSockets_deriveFromIt() {
    SeccompFilter noUnix = SeccompProfiles.withoutUnixSockets(DOCKER);
    SeccompFilter inetOnly = SeccompProfiles.restrictSockets(DOCKER, java.util.EnumSet.of(SocketDomain.INET));
    for (Arch arch : Arch.values()) {
      assertEquals(SeccompAction.errno(SeccompAction.EPERM), noUnix.evaluate(arch, "socket", 1, 1));
      assertEquals(SeccompAction.allow(), noUnix.evaluate(arch, "socket", 2, 1));
      assertEquals(SeccompAction.allow(), noUnix.evaluate(arch, "socket", 17, 3));
      assertEquals(SeccompAction.errno(SeccompAction.EPERM), noUnix.evaluate(arch, "socketpair", 1, 2));
      assertEquals(SeccompAction.allow(), noUnix.evaluate(arch, "socketpair", 1, 1));
      assertEquals(SeccompAction.allow(), inetOnly.evaluate(arch, "socket", 2, 1));
      assertEquals(SeccompAction.errno(SeccompAction.EPERM), inetOnly.evaluate(arch, "socket", 10, 1));
      assertEquals(SeccompAction.errno(SeccompAction.EPERM), inetOnly.evaluate(arch, "socket", 17, 3));
      assertEquals(SeccompAction.allow(), inetOnly.evaluate(arch, "ptrace"));
    }
  }
}
