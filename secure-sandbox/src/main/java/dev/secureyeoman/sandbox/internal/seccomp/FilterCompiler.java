package dev.secureyeoman.sandbox.internal.seccomp;

import dev.secureyeoman.sandbox.seccomp.ArgCondition;
import dev.secureyeoman.sandbox.seccomp.Arch;
import dev.secureyeoman.sandbox.seccomp.bpf.BpfDecoder;
import dev.secureyeoman.sandbox.seccomp.bpf.BpfInstruction;
import dev.secureyeoman.sandbox.seccomp.bpf.BpfProgram;
import dev.secureyeoman.sandbox.seccomp.SeccompAction;
import dev.secureyeoman.sandbox.seccomp.SyscallRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Compiles rules to a seccomp program.
 *
 * <p>Layout: load {@code arch}; one {@code jeq} per architecture into its section; anything else returns the
 * bad-architecture action. Each section loads {@code nr}, sends the x86_64 x32 range (bit 30) to the bad-architecture
 * action (only {@code nr == -1}, which the kernel itself fails with ENOSYS, gets the default action), then
 * binary-searches (unsigned {@code jge}) a list of segments covering every syscall number: runs of consecutive
 * syscalls with the same unconditional action form one segment, and gaps between rules return the default action.
 * Leaves are {@code ret} instructions, or a {@code ja} to a block that checks one syscall's conditional rules in order
 * (64-bit arguments as two 32-bit words, little-endian) and falls back to the default action. Conditional jumps that
 * end up more than 255 instructions from their target are relaxed by {@link BpfAssembler}.
 */
public final class FilterCompiler {
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
    return compile(archs, defaultAction, badArchAction, defaultAction, rules);
  }

  /**
   * Compiles a filter with a separate action for syscall numbers beyond the generated tables.
   *
   * @param archs architectures to include, in check order
   * @param defaultAction action for known syscalls no rule matches
   * @param badArchAction action for other architectures and the x32 ABI
   * @param unknownAction action for numbers at or above the table size (syscalls newer than the headers)
   * @param rules rules in evaluation order
   * @return the checked program
   * @throws IllegalArgumentException if the program would exceed {@value BpfDecoder#MAX_INSTRUCTIONS} instructions
   */
  public static BpfProgram compile(List<Arch> archs, SeccompAction defaultAction, SeccompAction badArchAction,
      SeccompAction unknownAction, List<SyscallRule> rules) {
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
      section(asm, archs.get(i), defaultAction, badArchAction, unknownAction, rules);
    }
    List<BpfInstruction> insns = asm.assemble();
    if (insns.size() > BpfDecoder.MAX_INSTRUCTIONS) {
      throw new IllegalArgumentException("seccomp program needs " + insns.size() + " instructions, limit "
          + BpfDecoder.MAX_INSTRUCTIONS + ": use fewer rules or conditions");
    }
    return BpfProgram.of(insns);
  }

  /** Where a range of syscall numbers goes: an inline {@code ret} or a block checking argument conditions. */
  private static final class Target {
    final int ret;
    final BpfAssembler.@Nullable Label block; // null: return {@link #ret}

    Target(int ret, BpfAssembler.@Nullable Label block) {
      this.ret = ret;
      this.block = block;
    }

    boolean sameAs(Target o) {
      return block == null ? o.block == null && ret == o.ret : block == o.block;
    }
  }

  private static void section(BpfAssembler asm, Arch arch, SeccompAction defaultAction,
      SeccompAction badArchAction, SeccompAction unknownAction, List<SyscallRule> rules) {
    TreeMap<Integer, List<SyscallRule>> groups = new TreeMap<>();
    for (SyscallRule r : rules) {
      OptionalInt nr = arch.syscallNumber(r.syscall());
      if (nr.isPresent()) {
        groups.computeIfAbsent(nr.getAsInt(), x -> new ArrayList<>()).add(r);
      }
    }
    Target fallback = new Target(defaultAction.toReturnValue(), null);
    // segments [start_i, start_i+1) covering every number from 0 up: consecutive syscalls with the same unconditional
    // action share one segment, gaps go to the default action
    List<Integer> starts = new ArrayList<>();
    List<Target> targets = new ArrayList<>();
    List<Map.Entry<BpfAssembler.Label, List<SyscallRule>>> blocks = new ArrayList<>();
    long next = 0; // first number not yet covered
    for (Map.Entry<Integer, List<SyscallRule>> g : groups.entrySet()) {
      int nr = g.getKey();
      SyscallRule first = g.getValue().get(0);
      Target t;
      if (first.unconditional()) {
        t = new Target(first.action().toReturnValue(), null);
      } else {
        t = new Target(0, asm.newLabel());
        blocks.add(Map.entry(t.block, g.getValue()));
      }
      if (nr > next) {
        segment(starts, targets, (int) next, fallback);
      }
      segment(starts, targets, nr, t);
      next = nr + 1L;
    }
    segment(starts, targets, (int) next, fallback);
    int tableSize = Syscalls.tableSize(arch);
    if (tableSize >= next) {
      segment(starts, targets, tableSize, new Target(unknownAction.toReturnValue(), null));
    }
    asm.stmt(BpfInstruction.LD_W_ABS, OFF_NR);
    BpfAssembler.Label x32 = null;
    if (arch == Arch.X86_64) {
      x32 = asm.newLabel();
      asm.jump(BpfInstruction.JGE_K, X32_SYSCALL_BIT, x32, null);
    }
    tree(asm, starts, targets, 0, starts.size());
    for (Map.Entry<BpfAssembler.Label, List<SyscallRule>> b : blocks) {
      asm.bind(b.getKey());
      block(asm, b.getValue(), defaultAction);
    }
    if (x32 != null) {
      BpfAssembler.Label bad = asm.newLabel();
      asm.bind(x32);
      asm.jump(BpfInstruction.JEQ_K, -1, null, bad); // nr -1: the kernel fails it with ENOSYS by itself
      asm.stmt(BpfInstruction.RET_K, defaultAction.toReturnValue());
      asm.bind(bad);
      asm.stmt(BpfInstruction.RET_K, badArchAction.toReturnValue());
    }
  }

  /** Appends a segment, merging it into the previous one when both lead to the same unconditional place. */
  private static void segment(List<Integer> starts, List<Target> targets, int start, Target t) {
    int n = targets.size();
    if (n > 0 && targets.get(n - 1).sameAs(t)) {
      return;
    }
    starts.add(start);
    targets.add(t);
  }

  /** Binary search over segment starts with unsigned {@code jge}; leaves return or jump to a condition block. */
  private static void tree(BpfAssembler asm, List<Integer> starts, List<Target> targets, int lo, int hi) {
    if (hi - lo == 1) {
      Target t = targets.get(lo);
      if (t.block == null) {
        asm.stmt(BpfInstruction.RET_K, t.ret);
      } else {
        asm.ja(t.block);
      }
      return;
    }
    int mid = (lo + hi) >>> 1;
    BpfAssembler.Label right = asm.newLabel();
    asm.jump(BpfInstruction.JGE_K, starts.get(mid), right, null);
    tree(asm, starts, targets, lo, mid);
    asm.bind(right);
    tree(asm, starts, targets, mid, hi);
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
