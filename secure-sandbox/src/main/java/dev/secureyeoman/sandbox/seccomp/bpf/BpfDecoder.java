package dev.secureyeoman.sandbox.seccomp.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes and checks seccomp programs: the byte form passed to {@code seccomp(2)} or {@code bwrap --seccomp}.
 *
 * <p>The checks mirror what the kernel's {@code bpf_check_classic} and {@code seccomp_check_filter} enforce: 1 to
 * {@value #MAX_INSTRUCTIONS} instructions, only the opcodes seccomp permits, 32-bit aligned loads inside
 * {@code struct seccomp_data}, every jump landing inside the program, scratch memory written before it is read, no
 * division by a zero constant, and a {@code ret} as the last instruction. Since classic BPF only jumps forward, a
 * program passing these checks always terminates in a {@code ret}.
 *
 * <p>Input is untrusted: sizes are checked before anything is allocated.
 */
public final class BpfDecoder {
  /** {@code BPF_MAXINSNS}: the kernel's limit on one program. */
  public static final int MAX_INSTRUCTIONS = 4096;
  /** Size of one {@code struct sock_filter}. */
  public static final int INSTRUCTION_BYTES = 8;
  /** {@code sizeof(struct seccomp_data)}. */
  public static final int SECCOMP_DATA_BYTES = 64;
  private static final int MEMORY_WORDS = 16;

  private BpfDecoder() {}

  /**
   * Decodes a program in the byte order of x86_64 and aarch64 (little-endian) and checks it.
   *
   * @param bytes the program, 8 bytes per instruction
   * @return the checked program
   * @throws BpfFormatException if the bytes are not a program the kernel would accept
   */
  public static BpfProgram decode(byte[] bytes) throws BpfFormatException {
    if (bytes == null) {
      throw new BpfFormatException(-1, "program bytes must not be null");
    }
    if (bytes.length == 0 || bytes.length % INSTRUCTION_BYTES != 0) {
      throw new BpfFormatException(-1, "program length " + bytes.length + " is not a positive multiple of 8");
    }
    int n = bytes.length / INSTRUCTION_BYTES;
    if (n > MAX_INSTRUCTIONS) {
      throw new BpfFormatException(-1, "program has " + n + " instructions, limit " + MAX_INSTRUCTIONS);
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    List<BpfInstruction> insns = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int code = Short.toUnsignedInt(buf.getShort());
      int jt = Byte.toUnsignedInt(buf.get());
      int jf = Byte.toUnsignedInt(buf.get());
      int k = buf.getInt();
      insns.add(new BpfInstruction(code, jt, jf, k));
    }
    verify(insns);
    return new BpfProgram(insns);
  }

  /**
   * Checks an instruction list against the kernel's rules.
   *
   * @param insns the instructions
   * @throws BpfFormatException naming the first offending instruction
   */
  public static void verify(List<BpfInstruction> insns) throws BpfFormatException {
    if (insns == null || insns.isEmpty()) {
      throw new BpfFormatException(-1, "program is empty");
    }
    int n = insns.size();
    if (n > MAX_INSTRUCTIONS) {
      throw new BpfFormatException(-1, "program has " + n + " instructions, limit " + MAX_INSTRUCTIONS);
    }
    // memory words known to be written on every path reaching each instruction (forward-only control flow)
    int[] written = new int[n];
    boolean[] reached = new boolean[n];
    reached[0] = true;
    for (int i = 0; i < n; i++) {
      BpfInstruction in = insns.get(i);
      checkOpcode(i, in);
      int mem = written[i];
      if (!reached[i]) {
        mem = -1; // dead code: every word counts as written, as the kernel does not look at unreachable loads
      }
      int code = in.code();
      if (code == BpfInstruction.LD_MEM || code == BpfInstruction.LDX_MEM) {
        if ((mem & (1 << in.k())) == 0) {
          throw new BpfFormatException(i, "reads scratch memory M[" + in.k() + "] before any write");
        }
      }
      if (code == BpfInstruction.ST || code == BpfInstruction.STX) {
        mem |= 1 << in.k();
      }
      if (in.isReturn()) {
        continue;
      }
      if (code == BpfInstruction.JA) {
        long target = i + 1L + Integer.toUnsignedLong(in.k());
        if (target >= n) {
          throw new BpfFormatException(i, "ja lands outside the program (target " + target + ", length " + n + ")");
        }
        flow(written, reached, (int) target, mem);
      } else if (in.isConditionalJump()) {
        int t = i + 1 + in.jt();
        int f = i + 1 + in.jf();
        if (t >= n || f >= n) {
          throw new BpfFormatException(i, "jump lands outside the program (jt " + t + ", jf " + f + ", length " + n
              + ")");
        }
        flow(written, reached, t, mem);
        flow(written, reached, f, mem);
      } else {
        if (i + 1 >= n) {
          throw new BpfFormatException(i, "last instruction must be a ret");
        }
        flow(written, reached, i + 1, mem);
      }
    }
    if (!insns.get(n - 1).isReturn()) {
      throw new BpfFormatException(n - 1, "last instruction must be a ret");
    }
  }

  private static void flow(int[] written, boolean[] reached, int target, int mem) {
    if (reached[target]) {
      written[target] &= mem;
    } else {
      reached[target] = true;
      written[target] = mem;
    }
  }

  private static void checkOpcode(int i, BpfInstruction in) throws BpfFormatException {
    int code = in.code();
    int k = in.k();
    switch (code) {
      case BpfInstruction.LD_W_ABS:
        if (k < 0 || k >= SECCOMP_DATA_BYTES || (k & 3) != 0) {
          throw new BpfFormatException(i, "load offset " + Integer.toUnsignedString(k)
              + " is not an aligned word inside seccomp_data");
        }
        return;
      case BpfInstruction.LD_W_LEN:
      case BpfInstruction.LDX_W_LEN:
      case BpfInstruction.LD_IMM:
      case BpfInstruction.LDX_IMM:
      case BpfInstruction.TAX:
      case BpfInstruction.TXA:
      case BpfInstruction.RET_K:
      case BpfInstruction.RET_A:
      case BpfInstruction.JA:
        return;
      case BpfInstruction.LD_MEM:
      case BpfInstruction.LDX_MEM:
      case BpfInstruction.ST:
      case BpfInstruction.STX:
        if (k < 0 || k >= MEMORY_WORDS) {
          throw new BpfFormatException(i, "scratch memory index " + Integer.toUnsignedString(k) + " outside 0..15");
        }
        return;
      default:
        break;
    }
    int cls = code & 0x07;
    int op = code & 0xF0;
    int src = code & 0x08;
    if (cls == 0x04 && (code & ~0xF8) == 0x04) {
      if (op > 0xA0) {
        throw new BpfFormatException(i, String.format("unknown ALU operation 0x%02x", code));
      }
      if (op == 0x80 && src != 0) {
        throw new BpfFormatException(i, String.format("unknown ALU operation 0x%02x", code));
      }
      if (src == 0 && (op == 0x30 || op == 0x90) && k == 0) {
        throw new BpfFormatException(i, "division by constant zero");
      }
      if (src == 0 && (op == 0x60 || op == 0x70) && Integer.compareUnsigned(k, 32) >= 0) {
        throw new BpfFormatException(i, "shift by " + Integer.toUnsignedString(k) + " bits");
      }
      return;
    }
    if (cls == 0x05 && (code & ~0xF8) == 0x05 && op >= 0x10 && op <= 0x40) {
      return;
    }
    throw new BpfFormatException(i, String.format("opcode 0x%04x is not allowed in seccomp programs", code));
  }
}
