package dev.secureyeoman.sandbox.seccomp.bpf;

/**
 * One classic-BPF instruction ({@code struct sock_filter}): a 16-bit opcode, two 8-bit relative jump offsets and a
 * 32-bit constant.
 *
 * @param code the opcode
 * @param jt jump offset when a conditional jump is taken, 0..255
 * @param jf jump offset when it is not, 0..255
 * @param k the constant operand
 */
public record BpfInstruction(int code, int jt, int jf, int k) {
  /** {@code BPF_LD | BPF_W | BPF_ABS}: load a 32-bit word of {@code seccomp_data}. */
  public static final int LD_W_ABS = 0x20;
  /** {@code BPF_LD | BPF_W | BPF_LEN}: load the data length (64). */
  public static final int LD_W_LEN = 0x80;
  /** {@code BPF_LDX | BPF_W | BPF_LEN}. */
  public static final int LDX_W_LEN = 0x81;
  /** {@code BPF_LD | BPF_IMM}. */
  public static final int LD_IMM = 0x00;
  /** {@code BPF_LDX | BPF_IMM}. */
  public static final int LDX_IMM = 0x01;
  /** {@code BPF_LD | BPF_MEM}. */
  public static final int LD_MEM = 0x60;
  /** {@code BPF_LDX | BPF_MEM}. */
  public static final int LDX_MEM = 0x61;
  /** {@code BPF_ST}. */
  public static final int ST = 0x02;
  /** {@code BPF_STX}. */
  public static final int STX = 0x03;
  /** {@code BPF_ALU | BPF_AND | BPF_K}. */
  public static final int ALU_AND_K = 0x54;
  /** {@code BPF_JMP | BPF_JA}. */
  public static final int JA = 0x05;
  /** {@code BPF_JMP | BPF_JEQ | BPF_K}. */
  public static final int JEQ_K = 0x15;
  /** {@code BPF_JMP | BPF_JGT | BPF_K}. */
  public static final int JGT_K = 0x25;
  /** {@code BPF_JMP | BPF_JGE | BPF_K}. */
  public static final int JGE_K = 0x35;
  /** {@code BPF_JMP | BPF_JSET | BPF_K}. */
  public static final int JSET_K = 0x45;
  /** {@code BPF_RET | BPF_K}. */
  public static final int RET_K = 0x06;
  /** {@code BPF_RET | BPF_A}. */
  public static final int RET_A = 0x16;
  /** {@code BPF_MISC | BPF_TAX}. */
  public static final int TAX = 0x07;
  /** {@code BPF_MISC | BPF_TXA}. */
  public static final int TXA = 0x87;

  /**
   * Validates the field ranges.
   *
   * @param code opcode
   * @param jt true offset
   * @param jf false offset
   * @param k constant
   * @throws IllegalArgumentException if a field does not fit its C type
   */
  public BpfInstruction {
    if (code < 0 || code > 0xFFFF) {
      throw new IllegalArgumentException("code must fit 16 bits, got " + code);
    }
    if (jt < 0 || jt > 255 || jf < 0 || jf > 255) {
      throw new IllegalArgumentException("jt and jf must fit 8 bits, got " + jt + ", " + jf);
    }
  }

  /**
   * A non-jump instruction.
   *
   * @param code opcode
   * @param k constant
   * @return the instruction
   */
  public static BpfInstruction stmt(int code, int k) {
    return new BpfInstruction(code, 0, 0, k);
  }

  /**
   * Instruction class ({@code BPF_CLASS(code)}).
   *
   * @return 0 (LD) to 7 (MISC)
   */
  public int instructionClass() {
    return code & 0x07;
  }

  /**
   * Whether this is a conditional jump (jt/jf are used).
   *
   * @return true for JEQ, JGT, JGE and JSET
   */
  public boolean isConditionalJump() {
    return instructionClass() == 0x05 && (code & 0xF0) != 0;
  }

  /**
   * Whether this is a {@code ret}.
   *
   * @return true for the RET class
   */
  public boolean isReturn() {
    return instructionClass() == 0x06;
  }

  @Override
  public String toString() {
    return String.format("{0x%02x, %d, %d, 0x%08x}", code, jt, jf, k);
  }
}
