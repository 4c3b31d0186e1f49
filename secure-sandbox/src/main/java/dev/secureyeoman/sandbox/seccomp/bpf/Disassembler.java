package dev.secureyeoman.sandbox.seccomp.bpf;

import dev.secureyeoman.sandbox.seccomp.Arch;
import dev.secureyeoman.sandbox.seccomp.SeccompAction;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Text listing of a checked program; tracks which field the accumulator holds and which architecture is known. */
final class Disassembler {
  private static final String UNKNOWN = "?";

  private Disassembler() {}

  /** Per-instruction facts flowing forward: accumulator content and the architecture checked on the path. */
  private static final class State {
    String acc; // "nr", "arch", "args[i] lo", ... or UNKNOWN
    @Nullable Arch arch; // null when unknown or conflicting

    State(String acc, @Nullable Arch arch) {
      this.acc = acc;
      this.arch = arch;
    }
  }

  static String disassemble(List<BpfInstruction> insns) {
    int n = insns.size();
    State[] in = new State[n];
    in[0] = new State(UNKNOWN, null);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      BpfInstruction ins = insns.get(i);
      State s = in[i];
      boolean dead = s == null;
      if (dead) {
        s = new State(UNKNOWN, null);
      }
      String text;
      String comment = "";
      String accAfter = s.acc;
      int code = ins.code();
      int k = ins.k();
      switch (code) {
        case BpfInstruction.LD_W_ABS:
          text = "ld     [" + k + "]";
          accAfter = field(k);
          comment = "A = " + accAfter;
          break;
        case BpfInstruction.LD_W_LEN:
          text = "ld     #len";
          accAfter = UNKNOWN;
          break;
        case BpfInstruction.LDX_W_LEN:
          text = "ldx    #len";
          break;
        case BpfInstruction.LD_IMM:
          text = String.format("ld     #0x%x", k);
          accAfter = UNKNOWN;
          break;
        case BpfInstruction.LDX_IMM:
          text = String.format("ldx    #0x%x", k);
          break;
        case BpfInstruction.LD_MEM:
          text = "ld     M[" + k + "]";
          accAfter = UNKNOWN;
          break;
        case BpfInstruction.LDX_MEM:
          text = "ldx    M[" + k + "]";
          break;
        case BpfInstruction.ST:
          text = "st     M[" + k + "]";
          break;
        case BpfInstruction.STX:
          text = "stx    M[" + k + "]";
          break;
        case BpfInstruction.TAX:
          text = "tax";
          break;
        case BpfInstruction.TXA:
          text = "txa";
          accAfter = UNKNOWN;
          break;
        case BpfInstruction.RET_K:
          text = String.format("ret    #0x%08x", k);
          comment = SeccompAction.fromReturnValue(k).toString();
          break;
        case BpfInstruction.RET_A:
          text = "ret    A";
          break;
        case BpfInstruction.JA:
          text = String.format("ja     %04d", i + 1 + k);
          break;
        default:
          text = null;
          break;
      }
      if (text == null) {
        int op = code & 0xF0;
        boolean x = (code & 0x08) != 0;
        String operand = x ? "X" : String.format("#0x%x", k);
        if (ins.instructionClass() == 0x04) {
          String[] names = {"add", "sub", "mul", "div", "or", "and", "lsh", "rsh", "neg", "mod", "xor"};
          text = String.format("%-6s %s", names[op >> 4], op == 0x80 ? "" : operand).trim();
          accAfter = UNKNOWN;
        } else {
          String[] names = {"ja", "jeq", "jgt", "jge", "jset"};
          text = String.format("%-6s %-12s jt %04d  jf %04d", names[op >> 4], operand, i + 1 + ins.jt(),
              i + 1 + ins.jf());
          if (!x) {
            comment = jumpComment(s, op, k);
          }
        }
      }
      sb.append(String.format("%04d: %-40s", i, text));
      if (dead) {
        comment = comment.isEmpty() ? "unreachable" : comment + " (unreachable)";
      }
      if (!comment.isEmpty()) {
        sb.append(" ; ").append(comment);
      }
      sb.setLength(trimEnd(sb));
      sb.append('\n');
      if (dead || ins.isReturn()) {
        continue;
      }
      if (code == BpfInstruction.JA) {
        merge(in, i + 1 + k, new State(accAfter, s.arch));
      } else if (ins.isConditionalJump()) {
        Arch taken = s.arch;
        if ("arch".equals(s.acc) && (code & 0xF8) == (BpfInstruction.JEQ_K & 0xF8)) {
          taken = Arch.fromAuditArch(k).orElse(null);
        }
        merge(in, i + 1 + ins.jt(), new State(accAfter, taken));
        merge(in, i + 1 + ins.jf(), new State(accAfter, s.arch));
      } else {
        merge(in, i + 1, new State(accAfter, s.arch));
      }
    }
    return sb.toString();
  }

  private static int trimEnd(StringBuilder sb) {
    int len = sb.length();
    while (len > 0 && sb.charAt(len - 1) == ' ') {
      len--;
    }
    return len;
  }

  private static void merge(State[] in, int target, State s) {
    State old = in[target];
    if (old == null) {
      in[target] = s;
      return;
    }
    if (!old.acc.equals(s.acc)) {
      old.acc = UNKNOWN;
    }
    if (old.arch != s.arch) {
      old.arch = null;
    }
  }

  private static String field(int offset) {
    switch (offset) {
      case 0:
        return "nr";
      case 4:
        return "arch";
      case 8:
        return "instruction_pointer lo";
      case 12:
        return "instruction_pointer hi";
      default:
        int arg = (offset - 16) / 8;
        return "args[" + arg + "]" + ((offset & 4) == 0 ? " lo" : " hi");
    }
  }

  private static String jumpComment(State s, int op, int k) {
    if ("arch".equals(s.acc)) {
      Optional<Arch> a = Arch.fromAuditArch(k);
      return a.map(Arch::toString).orElse(String.format("arch 0x%08x", k));
    }
    if ("nr".equals(s.acc) && op == 0x10 && s.arch != null) {
      return s.arch.syscallName(k).orElse("syscall " + k);
    }
    if ("nr".equals(s.acc) && op == 0x30 && k == 0x40000000 && s.arch == Arch.X86_64) {
      return "x32 ABI";
    }
    if ("nr".equals(s.acc) && s.arch != null && (op == 0x20 || op == 0x30)) {
      return (op == 0x20 ? "> " : ">= ") + s.arch.syscallName(k).orElse(String.valueOf(k));
    }
    return "";
  }
}
