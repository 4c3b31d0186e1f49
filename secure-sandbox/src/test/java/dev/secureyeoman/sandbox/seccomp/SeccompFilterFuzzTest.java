package dev.secureyeoman.sandbox.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.sandbox.seccomp.bpf.BpfDecoder;
import dev.secureyeoman.sandbox.seccomp.bpf.BpfFormatException;
import dev.secureyeoman.sandbox.seccomp.bpf.BpfProgram;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Jazzer: random rule sets compile to programs the decoder accepts, that never exceed the kernel's limits and that
 * decide every syscall exactly as the rules say (checked against a reference evaluation of the rules); the shipped
 * profiles decide random calls exactly as their rule lists say; random bytes are either rejected by the decoder or run
 * to a {@code ret}. Seed inputs (rule sets, call vectors, programs) are committed under {@code
 * src/test/resources/dev/secureyeoman/sandbox/seccomp/SeccompFilterFuzzTestInputs/}; plain {@code mvn test} replays
 * them, {@code ./mvnw -Pfuzz ... -Dtest='SeccompFilterFuzzTest#method'} fuzzes.
 */
class SeccompFilterFuzzTest {
  private static final List<String> NAMES = new ArrayList<>();

  static {
    Set<String> seen = new HashSet<>();
    for (Arch a : Arch.values()) {
      for (int nr = 0; nr < 512; nr++) {
        a.syscallName(nr).filter(seen::add).ifPresent(NAMES::add);
      }
    }
  }

  private static SeccompAction action(FuzzedDataProvider d) {
    switch (d.consumeInt(0, 5)) {
      case 0:
        return SeccompAction.allow();
      case 1:
        return SeccompAction.errno(d.consumeInt(0, SeccompAction.MAX_ERRNO));
      case 2:
        return SeccompAction.killProcess();
      case 3:
        return SeccompAction.trap();
      case 4:
        return SeccompAction.log();
      default:
        return SeccompAction.killThread();
    }
  }

  private static ArgCondition condition(FuzzedDataProvider d) {
    int index = d.consumeInt(0, 5);
    ArgCondition.Op op = d.pickValue(ArgCondition.Op.values());
    long a = d.consumeLong();
    long b = d.consumeLong();
    switch (op) {
      case MASKED_EQ:
        return ArgCondition.maskedEq(index, b, a & b);
      case IN_RANGE:
        return Long.compareUnsigned(a, b) <= 0 ? ArgCondition.inRange(index, a, b) : ArgCondition.inRange(index, b, a);
      default:
        return new ArgCondition(index, op, a, 0);
    }
  }

  private static SeccompAction reference(List<SyscallRule> rules, SeccompAction defaultAction, Arch arch, int nr,
      long[] args) {
    for (SyscallRule r : rules) {
      if (arch.syscallNumber(r.syscall()).orElse(-1) == nr && r.matches(args)) {
        return r.action();
      }
    }
    return defaultAction;
  }

  /** A filter's decision from its rule list alone: rules, then the default, numbers beyond the tables the unknown action. */
  static SeccompAction reference(SeccompFilter f, Arch arch, int nr, long[] args) {
    if (nr >= tableSize(arch)) {
      return f.unknownSyscallAction();
    }
    return reference(f.rules(), f.defaultAction(), arch, nr, args);
  }

  private static int tableSize(Arch arch) {
    int n = 0;
    for (int nr = 0; nr < 2048; nr++) {
      if (arch.syscallName(nr).isPresent()) {
        n = nr + 1;
      }
    }
    return n;
  }

  private static final List<SeccompFilter> PROFILES = List.of(
      SeccompProfiles.defaultAllowList(),
      SeccompProfiles.defaultAllowListWithoutNetwork(),
      SeccompProfiles.defaultAllowList(java.util.Set.of()),
      SeccompProfiles.dockerCompatible(),
      SeccompProfiles.withoutUnixSockets(SeccompProfiles.dockerCompatible()),
      SeccompProfiles.jvmDenyList());

  /**
   * The shipped profiles, with calls a program might make (often the conditional syscalls and their interesting
   * values): the compiled program agrees with the rule list.
   */
  @FuzzTest(maxDuration = "30s")
  void profiles_randomCalls_matchTheirRuleLists(FuzzedDataProvider d) {
    SeccompFilter f = d.pickValue(PROFILES);
    for (int k = 0; k < 32 && d.remainingBytes() > 0; k++) {
      Arch arch = d.pickValue(Arch.values());
      int nr;
      switch (d.consumeInt(0, 3)) {
        case 0:
          nr = arch.syscallNumber(d.pickValue(List.of("socket", "socketpair", "clone", "ioctl", "personality")))
              .orElse(0);
          break;
        case 1:
          nr = d.consumeInt(0, 1100);
          break;
        default:
          nr = arch.syscallNumber(d.pickValue(NAMES)).orElse(0);
      }
      long[] args = new long[6];
      for (int j = 0; j < 6; j++) {
        switch (d.consumeInt(0, 3)) {
          case 0:
            args[j] = d.consumeLong();
            break;
          case 1:
            args[j] = d.consumeLong(0, 64);
            break;
          case 2:
            args[j] = d.pickValue(new Long[] {0x5412L, 0x541CL, 0x7E020000L, 0x10000000L, 0x80802L, 0xFFFFFFFFL,
                0x1_0000_0028L, 0x40000L});
            break;
          default:
            args[j] = d.consumeInt();
        }
      }
      assertEquals(reference(f, arch, nr, args),
          SeccompAction.fromReturnValue(f.program().evaluate(arch.auditArch(), nr, 0L, args)),
          "nr " + nr + " on " + arch + " args " + java.util.Arrays.toString(args) + " in " + f);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void compile_randomRules_decodesAndMatchesReference(FuzzedDataProvider d) throws Exception {
    SeccompAction defaultAction = action(d);
    SeccompFilter.Builder b = SeccompFilter.builder().defaultAction(defaultAction);
    boolean x86Only = d.consumeBoolean();
    if (x86Only) {
      b.architectures(Arch.X86_64);
    }
    List<SyscallRule> rules = new ArrayList<>();
    Set<String> closed = new HashSet<>();
    int n = d.consumeInt(0, 120);
    for (int i = 0; i < n; i++) {
      String name = d.pickValue(NAMES);
      if (closed.contains(name)) {
        continue;
      }
      List<ArgCondition> conds = new ArrayList<>();
      int c = d.consumeInt(0, 3);
      for (int j = 0; j < c; j++) {
        conds.add(condition(d));
      }
      SyscallRule r = new SyscallRule(name, action(d), conds);
      if (r.unconditional()) {
        closed.add(name);
      }
      rules.add(r);
      b.rule(r);
    }
    SeccompFilter f;
    try {
      f = b.build();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage().contains("limit 4096"), e.getMessage());
      return;
    }
    BpfProgram p = f.program();
    assertTrue(p.length() <= BpfDecoder.MAX_INSTRUCTIONS);
    assertEquals(p, BpfDecoder.decode(p.toBytes()));
    assertTrue(p.startsWithArchCheck());
    assertEquals(SeccompAction.killProcess(), p.actionForArch(0x40000003).orElseThrow());
    p.disassemble();
    for (int k = 0; k < 16; k++) {
      Arch arch = x86Only ? Arch.X86_64 : d.pickValue(Arch.values());
      int nr = d.consumeBoolean() && !rules.isEmpty()
          ? arch.syscallNumber(d.pickValue(rules).syscall()).orElse(0) : d.consumeInt(0, 500);
      long[] args = new long[6];
      for (int j = 0; j < 6; j++) {
        args[j] = d.consumeBoolean() ? d.consumeLong() : d.consumeLong(0, 16);
      }
      assertEquals(reference(rules, defaultAction, arch, nr, args),
          SeccompAction.fromReturnValue(p.evaluate(arch.auditArch(), nr, 0L, args)),
          "nr " + nr + " on " + arch);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void decode_randomBytes_rejectsOrRunsToARet(FuzzedDataProvider d) throws Exception {
    byte[] bytes = d.consumeBytes(8 * 64);
    BpfProgram p;
    try {
      p = BpfDecoder.decode(bytes);
    } catch (BpfFormatException e) {
      return;
    }
    p.evaluate(d.consumeInt(), d.consumeInt(), d.consumeLong(), d.consumeLong(), d.consumeLong());
    p.disassemble();
    assertEquals(p, BpfDecoder.decode(p.toBytes()));
  }
}
