package dev.secureyeoman.sandbox.seccomp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.sandbox.seccomp.bpf.BpfDecoder;
import dev.secureyeoman.sandbox.seccomp.bpf.BpfInstruction;
import dev.secureyeoman.sandbox.seccomp.bpf.BpfProgram;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Golden properties of compiled programs, checked through the decoder and the interpreter. */
class SeccompFilterGoldenTest {
  private static final Pattern JGE_NAMED = Pattern.compile("jge    #0x([0-9a-f]+) .*; >= ([a-z_][a-z0-9_]*)$");
  private static final int AUDIT_ARCH_I386 = 0x40000003;
  private static final int AUDIT_ARCH_ARM = 0x40000028;

  static Stream<SeccompFilter> profiles() {
    return Stream.of(SeccompProfiles.defaultAllowList(), SeccompProfiles.defaultAllowListWithoutNetwork(),
        SeccompProfiles.jvmDenyList(),
        SeccompFilter.builder().defaultAction(SeccompAction.allow()).architectures(Arch.X86_64).build());
  }

  @ParameterizedTest
  @MethodSource("profiles")
  void program_decodedFromBytes_startsWithArchCheckAndEveryJumpLandsInside(SeccompFilter f) throws Exception {
    byte[] bytes = f.program().toBytes();
    BpfProgram decoded = BpfDecoder.decode(bytes);
    assertEquals(f.program(), decoded);
    assertTrue(decoded.startsWithArchCheck());
    BpfInstruction second = decoded.instructions().get(1);
    assertEquals(BpfInstruction.JEQ_K, second.code());
    assertEquals(f.architectures().get(0).auditArch(), second.k());
    int n = decoded.length();
    assertTrue(n <= BpfDecoder.MAX_INSTRUCTIONS);
    for (int i = 0; i < n; i++) {
      BpfInstruction in = decoded.instructions().get(i);
      if (in.code() == BpfInstruction.JA) {
        assertTrue(i + 1L + Integer.toUnsignedLong(in.k()) < n, "ja at " + i);
      } else if (in.isConditionalJump()) {
        assertTrue(i + 1 + in.jt() < n && i + 1 + in.jf() < n, "jump at " + i);
      }
    }
    assertTrue(decoded.instructions().get(n - 1).isReturn());
  }

  @ParameterizedTest
  @MethodSource("profiles")
  void program_unknownArchitecture_isKilled(SeccompFilter f) {
    for (int arch : new int[] {AUDIT_ARCH_I386, AUDIT_ARCH_ARM, 0, -1}) {
      assertEquals(SeccompAction.killProcess(), f.program().actionForArch(arch).orElseThrow());
    }
  }

  @Test
  void program_x32SyscallsOnX86_64_areKilledButMinusOneGetsDefault() {
    BpfProgram p = SeccompProfiles.jvmDenyList().program();
    int x32Read = 0x40000000;
    assertEquals(SeccompAction.killProcess(),
        SeccompAction.fromReturnValue(p.evaluate(Arch.X86_64.auditArch(), x32Read, 0L)));
    assertEquals(SeccompAction.killProcess(),
        SeccompAction.fromReturnValue(p.evaluate(Arch.X86_64.auditArch(), 0x40000000 + 101, 0L)));
    assertEquals(SeccompAction.allow(), SeccompAction.fromReturnValue(p.evaluate(Arch.X86_64.auditArch(), -1, 0L)));
    // the same number is an ordinary, unassigned syscall number on aarch64: the unknown-syscall action
    assertEquals(SeccompAction.errno(SeccompAction.ENOSYS),
        SeccompAction.fromReturnValue(p.evaluate(Arch.AARCH64.auditArch(), x32Read, 0L)));
  }

  @Test
  void disassemble_defaultProfile_namesArchSyscallsAndActions() {
    String text = SeccompProfiles.defaultAllowList().program().disassemble();
    String[] lines = text.split("\n");
    assertTrue(lines[0].startsWith("0000: ld     [4]") && lines[0].endsWith("; A = arch"), lines[0]);
    assertTrue(lines[1].contains("#0xc000003e") && lines[1].endsWith("; x86_64"), lines[1]);
    assertTrue(lines[2].contains("#0xc00000b7") && lines[2].endsWith("; aarch64"), lines[2]);
    // syscall names are resolved per section, for the architecture the path has checked
    int aarch64Named = 0;
    for (String line : lines) {
      Matcher m = JGE_NAMED.matcher(line);
      if (m.find()) {
        int k = Integer.parseInt(m.group(1), 16);
        String x86 = Arch.X86_64.syscallName(k).orElse("");
        String arm = Arch.AARCH64.syscallName(k).orElse("");
        assertTrue(m.group(2).equals(x86) || m.group(2).equals(arm), line);
        if (m.group(2).equals(arm) && !arm.equals(x86)) {
          aarch64Named++;
        }
      }
    }
    assertTrue(aarch64Named > 0, text);
    assertTrue(text.contains("; >= ptrace"), text);
    assertTrue(text.contains("; x32 ABI"));
    assertTrue(text.contains("; ERRNO(1)") && text.contains("; ERRNO(38)") && text.contains("; KILL_PROCESS"));
    assertFalse(text.contains("unreachable"), "the compiler emits no dead code");
  }

  @Test
  void compile_farTargets_areRelaxedThroughTrampolines() {
    // 60 conditional syscalls make the x86_64 section longer than a conditional jump can cross
    SeccompFilter.Builder b = SeccompFilter.builder().defaultAction(SeccompAction.errno(1));
    List<String> names = new ArrayList<>();
    for (int nr = 0; names.size() < 60; nr++) {
      String name = Arch.X86_64.syscallName(nr).orElse(null);
      if (name != null && Arch.AARCH64.syscallNumber(name).isPresent()) {
        names.add(name);
        b.rule(SyscallRule.of(name, SeccompAction.allow(), ArgCondition.eq(0, nr), ArgCondition.eq(1, 7)));
      }
    }
    SeccompProfiles.ALLOWED.stream().filter(s -> !names.contains(s)).forEach(b::allow);
    SeccompFilter f = b.build();
    BpfProgram p = f.program();
    BpfInstruction aarch64Check = p.instructions().get(2);
    assertEquals(Arch.AARCH64.auditArch(), aarch64Check.k());
    assertEquals(0, aarch64Check.jt(), "far jt goes to the trampoline right after the jump");
    assertEquals(BpfInstruction.JA, p.instructions().get(3).code());
    assertEquals(SeccompAction.killProcess(), SeccompAction.fromReturnValue(p.instructions().get(4).k()));
    for (String name : names) {
      int x86 = Arch.X86_64.syscallNumber(name).getAsInt();
      for (Arch a : Arch.values()) {
        assertEquals(SeccompAction.allow(), p.evaluate(a, name, x86, 7), name + " on " + a);
        assertEquals(SeccompAction.errno(1), p.evaluate(a, name, x86, 8), name + " on " + a);
      }
    }
    for (String s : SeccompProfiles.ALLOWED) {
      for (Arch a : Arch.values()) {
        if (a.syscallNumber(s).isPresent() && !names.contains(s)) {
          assertEquals(SeccompAction.allow(), p.evaluate(a, s), s + " on " + a);
        }
      }
    }
  }

  @Test
  void compile_defaultProfile_staysCompact() {
    // runs of allowed syscalls share one range check: well under a tenth of the kernel's limit
    assertTrue(SeccompProfiles.defaultAllowList().program().length() < 400);
  }

  @Test
  void compile_tooManyRules_isRejectedWithTheLimit() {
    SeccompFilter.Builder b = SeccompFilter.builder().defaultAction(SeccompAction.allow());
    for (int i = 0; i < 700; i++) {
      b.rule(SyscallRule.of("ioctl", SeccompAction.errno(1), ArgCondition.eq(1, i), ArgCondition.eq(2, i)));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    assertTrue(e.getMessage().contains("limit 4096"), e.getMessage());
  }

  @Test
  void toBpf_isTheProgramBytes() {
    SeccompFilter f = SeccompProfiles.defaultAllowList();
    assertArrayEquals(f.program().toBytes(), f.toBpf());
    assertEquals(0, f.toBpf().length % 8);
  }

  @Test
  void compile_sameRules_isDeterministic() {
    assertEquals(SeccompProfiles.defaultAllowList().program(), SeccompProfiles.defaultAllowList().program());
    assertEquals(List.of(Arch.X86_64, Arch.AARCH64), SeccompProfiles.defaultAllowList().architectures());
  }
}
