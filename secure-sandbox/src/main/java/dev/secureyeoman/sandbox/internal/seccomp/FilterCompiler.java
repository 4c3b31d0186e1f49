package dev.secureyeoman.sandbox.internal.seccomp;

import dev.secureyeoman.sandbox.seccomp.ArgCondition;
import dev.secureyeoman.sandbox.seccomp.Arch;
import dev.secureyeoman.sandbox.seccomp.BpfDecoder;
import dev.secureyeoman.sandbox.seccomp.BpfInstruction;
import dev.secureyeoman.sandbox.seccomp.BpfProgram;
import dev.secureyeoman.sandbox.seccomp.SeccompAction;
import dev.secureyeoman.sandbox.seccomp.SyscallRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Compiles rules to a seccomp program.
 *
 * <p>Layout: load {@code arch}; one {@code jeq} per architecture into its section; anything else returns the
 * bad-architecture action. Each section loads {@code nr}, sends the x86_64 x32 range (bit 30) to the bad-architecture
 * action (only {@code nr == -1}, which the kernel itself fails with ENOSYS, gets the default action), then walks a
 * binary search tree over the sorted syscall numbers (leaves of at most {@value #LEAF} {@code jeq}). Unconditional
 * rules jump straight to a shared {@code ret}; syscalls with argument conditions get a block that checks each rule in
 * order (64-bit arguments as two 32-bit words, little-endian) and falls back to the default action.
 */
public final class FilterCompiler {
  static final int LEAF = 4;
  private static final int X32_SYSCALL_BIT = 0x40000000;
  private static final int OFF_NR = 0;
  private static final int OFF_ARCH = 4;
  private static final int OFF_ARGS = 16;

  private FilterCompiler() {}

  /**
   * Compiles a filter.
   *
   * @param archs architectures to include, in check order
   * @param defaultAction action for syscalls no rule matches
   * @param badArchAction action for other architectures and the x32 ABI
   * @param rules rules in evaluation order
   * @return the checked program
   * @throws IllegalArgumentException if the program would exceed {@value BpfDecoder#MAX_INSTRUCTIONS} instructions
   */
  public static BpfProgram compile(List<Arch> archs, SeccompAction defaultAction, SeccompAction badArchAction,
      List<SyscallRule> rules) {
    BpfAssembler asm = new BpfAssembler();
    asm.stmt(BpfInstruction.LD_W_ABS, OFF_ARCH);
    List<BpfAssembler.Label> sections = new ArrayList<>();
    for (Arch arch : archs) {
      BpfAssembler.Label l = asm.newLabel();
      sections.add(l);
      asm.jump(BpfInstruction.JEQ_K, arch.auditArch(), l, null);
    }
    asm.stmt(BpfInstruction.RET_K, badArchAction.toReturnValue());
    for (int i = 0; i < archs.size(); i++) {
      asm.bind(sections.get(i));
      section(asm, archs.get(i), defaultAction, badArchAction, rules);
    }
    List<BpfInstruction> insns = asm.assemble();
    if (insns.size() > BpfDecoder.MAX_INSTRUCTIONS) {
      throw new IllegalArgumentException("seccomp program needs " + insns.size() + " instructions, limit "
          + BpfDecoder.MAX_INSTRUCTIONS + ": use fewer rules or conditions");
    }
    return BpfProgram.of(insns);
  }

  private static void section(BpfAssembler asm, Arch arch, SeccompAction defaultAction,
      SeccompAction badArchAction, List<SyscallRule> rules) {
    TreeMap<Integer, List<SyscallRule>> groups = new TreeMap<>();
    for (SyscallRule r : rules) {
      OptionalInt nr = arch.syscallNumber(r.syscall());
      if (nr.isPresent()) {
        groups.computeIfAbsent(nr.getAsInt(), x -> new ArrayList<>()).add(r);
      }
    }
    Map<Integer, BpfAssembler.Label> rets = new LinkedHashMap<>();
    BpfAssembler.Label defaultRet = ret(rets, asm, defaultAction);
    int[] nrs = new int[groups.size()];
    BpfAssembler.Label[] targets = new BpfAssembler.Label[groups.size()];
    List<Map.Entry<BpfAssembler.Label, List<SyscallRule>>> blocks = new ArrayList<>();
    int i = 0;
    for (Map.Entry<Integer, List<SyscallRule>> g : groups.entrySet()) {
      nrs[i] = g.getKey();
      SyscallRule first = g.getValue().get(0);
      if (first.unconditional()) {
        targets[i] = ret(rets, asm, first.action());
      } else {
        targets[i] = asm.newLabel();
        blocks.add(Map.entry(targets[i], g.getValue()));
      }
      i++;
    }
    asm.stmt(BpfInstruction.LD_W_ABS, OFF_NR);
    BpfAssembler.Label x32 = null;
    if (arch == Arch.X86_64) {
      x32 = asm.newLabel();
      asm.jump(BpfInstruction.JGE_K, X32_SYSCALL_BIT, x32, null);
    }
    tree(asm, nrs, targets, 0, nrs.length, defaultRet);
    for (Map.Entry<BpfAssembler.Label, List<SyscallRule>> b : blocks) {
      asm.bind(b.getKey());
      block(asm, b.getValue(), defaultAction);
    }
    if (x32 != null) {
      asm.bind(x32);
      asm.jump(BpfInstruction.JEQ_K, -1, defaultRet, null);
      asm.stmt(BpfInstruction.RET_K, badArchAction.toReturnValue());
    }
    for (Map.Entry<Integer, BpfAssembler.Label> r : rets.entrySet()) {
      asm.bind(r.getValue());
      asm.stmt(BpfInstruction.RET_K, r.getKey());
    }
  }

  private static BpfAssembler.Label ret(Map<Integer, BpfAssembler.Label> rets, BpfAssembler asm,
      SeccompAction action) {
    return rets.computeIfAbsent(action.toReturnValue(), asm::newReturnLabel);
  }

  private static void tree(BpfAssembler asm, int[] nrs, BpfAssembler.Label[] targets, int lo, int hi,
      BpfAssembler.Label defaultRet) {
    if (hi - lo <= LEAF) {
      for (int i = lo; i < hi; i++) {
        asm.jump(BpfInstruction.JEQ_K, nrs[i], targets[i], null);
      }
      asm.ja(defaultRet);
      return;
    }
    int mid = (lo + hi) >>> 1;
    BpfAssembler.Label right = asm.newLabel();
    asm.jump(BpfInstruction.JGE_K, nrs[mid], right, null);
    tree(asm, nrs, targets, lo, mid, defaultRet);
    asm.bind(right);
    tree(asm, nrs, targets, mid, hi, defaultRet);
  }

  private static void block(BpfAssembler asm, List<SyscallRule> group, SeccompAction defaultAction) {
    for (SyscallRule r : group) {
      BpfAssembler.Label next = asm.newLabel();
      for (ArgCondition c : r.conditions()) {
        condition(asm, c, next);
      }
      asm.stmt(BpfInstruction.RET_K, r.action().toReturnValue());
      asm.bind(next);
      if (r.unconditional()) {
        return; // later rules for this syscall can never match
      }
    }
    asm.stmt(BpfInstruction.RET_K, defaultAction.toReturnValue());
  }

  /** Emits a test that falls through when the condition holds and jumps to {@code fail} otherwise. */
  private static void condition(BpfAssembler asm, ArgCondition c, BpfAssembler.Label fail) {
    int lo = OFF_ARGS + 8 * c.index();
    int hi = lo + 4;
    int vlo = (int) c.value();
    int vhi = (int) (c.value() >>> 32);
    switch (c.op()) {
      case EQ:
        asm.stmt(BpfInstruction.LD_W_ABS, hi);
        asm.jump(BpfInstruction.JEQ_K, vhi, null, fail);
        asm.stmt(BpfInstruction.LD_W_ABS, lo);
        asm.jump(BpfInstruction.JEQ_K, vlo, null, fail);
        return;
      case NE: {
        BpfAssembler.Label pass = asm.newLabel();
        asm.stmt(BpfInstruction.LD_W_ABS, hi);
        asm.jump(BpfInstruction.JEQ_K, vhi, null, pass);
        asm.stmt(BpfInstruction.LD_W_ABS, lo);
        asm.jump(BpfInstruction.JEQ_K, vlo, fail, null);
        asm.bind(pass);
        return;
      }
      case MASKED_EQ: {
        int mlo = (int) c.operand2();
        int mhi = (int) (c.operand2() >>> 32);
        if (mhi != 0) {
          asm.stmt(BpfInstruction.LD_W_ABS, hi);
          if (mhi != -1) {
            asm.stmt(BpfInstruction.ALU_AND_K, mhi);
          }
          asm.jump(BpfInstruction.JEQ_K, vhi, null, fail);
        }
        if (mlo != 0) {
          asm.stmt(BpfInstruction.LD_W_ABS, lo);
          if (mlo != -1) {
            asm.stmt(BpfInstruction.ALU_AND_K, mlo);
          }
          asm.jump(BpfInstruction.JEQ_K, vlo, null, fail);
        }
        return;
      }
      case GT:
        greater(asm, hi, lo, vhi, vlo, BpfInstruction.JGT_K, fail);
        return;
      case GE:
        greater(asm, hi, lo, vhi, vlo, BpfInstruction.JGE_K, fail);
        return;
      case LT:
        less(asm, hi, lo, vhi, vlo, BpfInstruction.JGE_K, fail);
        return;
      case LE:
        less(asm, hi, lo, vhi, vlo, BpfInstruction.JGT_K, fail);
        return;
      case IN_RANGE: {
        greater(asm, hi, lo, vhi, vlo, BpfInstruction.JGE_K, fail);
        int uhi = (int) (c.operand2() >>> 32);
        int ulo = (int) c.operand2();
        less(asm, hi, lo, uhi, ulo, BpfInstruction.JGT_K, fail);
        return;
      }
      default:
        throw new AssertionError(c.op());
    }
  }

  /** {@code arg > v} (lowJump JGT) or {@code arg >= v} (lowJump JGE), unsigned 64-bit. */
  private static void greater(BpfAssembler asm, int hi, int lo, int vhi, int vlo, int lowJump,
      BpfAssembler.Label fail) {
    BpfAssembler.Label pass = asm.newLabel();
    asm.stmt(BpfInstruction.LD_W_ABS, hi);
    asm.jump(BpfInstruction.JGT_K, vhi, pass, null);
    asm.jump(BpfInstruction.JEQ_K, vhi, null, fail);
    asm.stmt(BpfInstruction.LD_W_ABS, lo);
    asm.jump(lowJump, vlo, null, fail);
    asm.bind(pass);
  }

  /** {@code arg < v} (failJump JGE) or {@code arg <= v} (failJump JGT), unsigned 64-bit. */
  private static void less(BpfAssembler asm, int hi, int lo, int vhi, int vlo, int failJump,
      BpfAssembler.Label fail) {
    BpfAssembler.Label pass = asm.newLabel();
    asm.stmt(BpfInstruction.LD_W_ABS, hi);
    asm.jump(BpfInstruction.JGT_K, vhi, fail, null);
    asm.jump(BpfInstruction.JEQ_K, vhi, null, pass);
    asm.stmt(BpfInstruction.LD_W_ABS, lo);
    asm.jump(failJump, vlo, fail, null);
    asm.bind(pass);
  }
}
