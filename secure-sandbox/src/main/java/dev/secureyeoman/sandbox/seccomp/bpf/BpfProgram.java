package dev.secureyeoman.sandbox.seccomp.bpf;

import dev.secureyeoman.sandbox.seccomp.Arch;
import dev.secureyeoman.sandbox.seccomp.SeccompAction;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * A checked seccomp program: immutable instructions that passed {@link BpfDecoder#verify(List)}.
 *
 * <p>Besides the byte form for the kernel it offers an interpreter ({@link #evaluate}) that runs the program on a
 * synthetic {@code seccomp_data} exactly as the kernel would, and a disassembly ({@link #disassemble()}) annotated with
 * architectures, syscall names and actions, for tests and {@code secureyeoman sandbox probe} diagnostics.
 */
public final class BpfProgram {
  private final List<BpfInstruction> instructions;
  private final byte[] bytes;

  BpfProgram(List<BpfInstruction> checkedInstructions) {
    this.instructions = List.copyOf(checkedInstructions);
    ByteBuffer buf = ByteBuffer.allocate(instructions.size() * BpfDecoder.INSTRUCTION_BYTES)
        .order(ByteOrder.LITTLE_ENDIAN);
    for (BpfInstruction in : instructions) {
      buf.putShort((short) in.code()).put((byte) in.jt()).put((byte) in.jf()).putInt(in.k());
    }
    this.bytes = buf.array();
  }

  /**
   * Checks instructions and wraps them.
   *
   * @param instructions the program
   * @return the program
   * @throws IllegalArgumentException if the kernel would reject the program
   */
  public static BpfProgram of(List<BpfInstruction> instructions) {
    try {
      BpfDecoder.verify(instructions);
    } catch (BpfFormatException e) {
      throw new IllegalArgumentException("invalid seccomp program: " + e.getMessage(), e);
    }
    return new BpfProgram(instructions);
  }

  /**
   * The instructions.
   *
   * @return an unmodifiable list
   */
  public List<BpfInstruction> instructions() {
    return instructions;
  }

  /**
   * Number of instructions.
   *
   * @return 1 to 4096
   */
  public int length() {
    return instructions.size();
  }

  /**
   * The program as {@code struct sock_filter[]} in little-endian order, ready for {@code seccomp(2)} or
   * {@code bwrap --seccomp FD}.
   *
   * @return a fresh array of {@code 8 * length()} bytes
   */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /**
   * Runs the program on a synthetic syscall, as the kernel would.
   *
   * @param auditArch the {@code seccomp_data.arch} value, e.g. {@link Arch#auditArch()}
   * @param nr the syscall number
   * @param instructionPointer the {@code seccomp_data.instruction_pointer} value
   * @param args up to six arguments; missing ones are 0
   * @return the 32-bit return value
   */
  public int evaluate(int auditArch, int nr, long instructionPointer, long... args) {
    if (args.length > 6) {
      throw new IllegalArgumentException("at most 6 syscall arguments, got " + args.length);
    }
    int[] data = new int[BpfDecoder.SECCOMP_DATA_BYTES / 4];
    data[0] = nr;
    data[1] = auditArch;
    data[2] = (int) instructionPointer;
    data[3] = (int) (instructionPointer >>> 32);
    for (int i = 0; i < args.length; i++) {
      data[4 + 2 * i] = (int) args[i];
      data[5 + 2 * i] = (int) (args[i] >>> 32);
    }
    int a = 0;
    int x = 0;
    int[] mem = new int[16];
    int pc = 0;
    while (true) {
      BpfInstruction in = instructions.get(pc++);
      int k = in.k();
      switch (in.code()) {
        case BpfInstruction.LD_W_ABS:
          a = data[k >>> 2];
          continue;
        case BpfInstruction.LD_W_LEN:
          a = BpfDecoder.SECCOMP_DATA_BYTES;
          continue;
        case BpfInstruction.LDX_W_LEN:
          x = BpfDecoder.SECCOMP_DATA_BYTES;
          continue;
        case BpfInstruction.LD_IMM:
          a = k;
          continue;
        case BpfInstruction.LDX_IMM:
          x = k;
          continue;
        case BpfInstruction.LD_MEM:
          a = mem[k];
          continue;
        case BpfInstruction.LDX_MEM:
          x = mem[k];
          continue;
        case BpfInstruction.ST:
          mem[k] = a;
          continue;
        case BpfInstruction.STX:
          mem[k] = x;
          continue;
        case BpfInstruction.TAX:
          x = a;
          continue;
        case BpfInstruction.TXA:
          a = x;
          continue;
        case BpfInstruction.RET_K:
          return k;
        case BpfInstruction.RET_A:
          return a;
        case BpfInstruction.JA:
          pc += k;
          continue;
        default:
          break;
      }
      int operand = (in.code() & 0x08) != 0 ? x : k;
      int op = in.code() & 0xF0;
      if (in.instructionClass() == 0x04) {
        if ((op == 0x30 || op == 0x90) && operand == 0) {
          return 0; // classic BPF: division by zero ends the program with 0 (SECCOMP_RET_KILL_THREAD)
        }
        a = alu(op, a, operand);
        continue;
      }
      boolean taken;
      switch (op) {
        case 0x10:
          taken = a == operand;
          break;
        case 0x20:
          taken = Integer.compareUnsigned(a, operand) > 0;
          break;
        case 0x30:
          taken = Integer.compareUnsigned(a, operand) >= 0;
          break;
        default:
          taken = (a & operand) != 0;
          break;
      }
      pc += taken ? in.jt() : in.jf();
    }
  }

  private static int alu(int op, int a, int v) {
    switch (op) {
      case 0x00:
        return a + v;
      case 0x10:
        return a - v;
      case 0x20:
        return a * v;
      case 0x30:
        return Integer.divideUnsigned(a, v);
      case 0x40:
        return a | v;
      case 0x50:
        return a & v;
      case 0x60:
        return a << (v & 31);
      case 0x70:
        return a >>> (v & 31);
      case 0x80:
        return -a;
      case 0x90:
        return Integer.remainderUnsigned(a, v);
      default:
        return a ^ v;
    }
  }

  /**
   * Runs the program for a named syscall and decodes the action.
   *
   * @param arch the architecture
   * @param syscall the syscall name
   * @param args up to six arguments
   * @return the action the kernel would take
   * @throws IllegalArgumentException if the architecture has no such syscall
   */
  public SeccompAction evaluate(Arch arch, String syscall, long... args) {
    int nr = arch.syscallNumber(syscall)
        .orElseThrow(() -> new IllegalArgumentException("no syscall '" + syscall + "' on " + arch));
    return SeccompAction.fromReturnValue(evaluate(arch.auditArch(), nr, 0L, args));
  }

  /**
   * Human-readable listing, one instruction per line with absolute jump targets and comments naming the loaded field,
   * the architecture, the syscall compared against (resolved for the architecture the path has checked) and the
   * action returned.
   *
   * @return the listing
   */
  public String disassemble() {
    return Disassembler.disassemble(instructions);
  }

  /**
   * Whether the first instruction loads the architecture field, as every safe filter must.
   *
   * @return true when instruction 0 is {@code ld [4]}
   */
  public boolean startsWithArchCheck() {
    BpfInstruction first = instructions.get(0);
    return first.code() == BpfInstruction.LD_W_ABS && first.k() == 4;
  }

  /**
   * The action for a foreign architecture value, computed by running the program.
   *
   * @param auditArch an architecture value
   * @return the action, or empty if the program returns different actions for different syscalls of it
   */
  public Optional<SeccompAction> actionForArch(int auditArch) {
    SeccompAction a = SeccompAction.fromReturnValue(evaluate(auditArch, 0, 0L));
    for (int nr : new int[] {1, 59, 221, 435, 0x40000000, -1}) {
      if (!a.equals(SeccompAction.fromReturnValue(evaluate(auditArch, nr, 0L)))) {
        return Optional.empty();
      }
    }
    return Optional.of(a);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BpfProgram && ((BpfProgram) o).instructions.equals(instructions);
  }

  @Override
  public int hashCode() {
    return instructions.hashCode();
  }

  @Override
  public String toString() {
    return "BpfProgram[" + instructions.size() + " instructions]";
  }
}
