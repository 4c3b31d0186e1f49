package dev.secureyeoman.sandbox.seccomp.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.sandbox.seccomp.SeccompAction;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decoder refuses what the kernel refuses, and its interpreter and listing cover every opcode it accepts. */
class BpfDecoderTest {
  private static BpfInstruction i(int code, int jt, int jf, int k) {
    return new BpfInstruction(code, jt, jf, k);
  }

  private static BpfInstruction s(int code, int k) {
    return BpfInstruction.stmt(code, k);
  }

  private static byte[] bytes(BpfInstruction... insns) {
    ByteBuffer b = ByteBuffer.allocate(insns.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (BpfInstruction in : insns) {
      b.putShort((short) in.code()).put((byte) in.jt()).put((byte) in.jf()).putInt(in.k());
    }
    return b.array();
  }

  private static String reject(BpfInstruction... insns) {
    return assertThrows(BpfFormatException.class, () -> BpfDecoder.decode(bytes(insns))).getMessage();
  }

  @Test
  void decode_malformedLengths_areRejectedBeforeAllocation() {
    assertThrows(BpfFormatException.class, () -> BpfDecoder.decode(null));
    assertThrows(BpfFormatException.class, () -> BpfDecoder.decode(new byte[0]));
    assertThrows(BpfFormatException.class, () -> BpfDecoder.decode(new byte[7]));
    BpfFormatException e = assertThrows(BpfFormatException.class, () -> BpfDecoder.decode(new byte[8 * 4097]));
    assertEquals(-1, e.instruction());
    assertTrue(e.getMessage().contains("limit 4096"));
  }

  @Test
  void decode_invalidPrograms_namesTheInstruction() {
    assertTrue(reject(s(BpfInstruction.LD_W_ABS, 0)).contains("last instruction must be a ret"));
    assertTrue(reject(s(BpfInstruction.LD_W_ABS, 2), s(BpfInstruction.RET_K, 0)).contains("aligned word"));
    assertTrue(reject(s(BpfInstruction.LD_W_ABS, 64), s(BpfInstruction.RET_K, 0)).contains("aligned word"));
    assertTrue(reject(i(BpfInstruction.JEQ_K, 5, 0, 0), s(BpfInstruction.RET_K, 0)).contains("outside"));
    assertTrue(reject(s(BpfInstruction.JA, 1), s(BpfInstruction.RET_K, 0)).contains("outside"));
    assertTrue(reject(s(BpfInstruction.JA, -1), s(BpfInstruction.RET_K, 0)).contains("outside"));
    assertTrue(reject(s(0x28, 0), s(BpfInstruction.RET_K, 0)).contains("not allowed")); // ld half-word
    assertTrue(reject(s(0x0e, 0), s(BpfInstruction.RET_K, 0)).contains("not allowed")); // ret X
    assertTrue(reject(s(0x34, 0), s(BpfInstruction.RET_K, 0)).contains("division")); // div #0
    assertTrue(reject(s(0x94, 0), s(BpfInstruction.RET_K, 0)).contains("division")); // mod #0
    assertTrue(reject(s(0x64, 32), s(BpfInstruction.RET_K, 0)).contains("shift")); // lsh #32
    assertTrue(reject(s(0xb4, 0), s(BpfInstruction.RET_K, 0)).contains("ALU")); // op 0xb0
    assertTrue(reject(s(0x8c, 0), s(BpfInstruction.RET_K, 0)).contains("ALU")); // neg X
    assertTrue(reject(s(BpfInstruction.LD_MEM, 0), s(BpfInstruction.RET_K, 0)).contains("before any write"));
    assertTrue(reject(s(BpfInstruction.ST, 16), s(BpfInstruction.RET_K, 0)).contains("0..15"));
    // memory written on only one path is not written
    String m = reject(s(BpfInstruction.LD_W_ABS, 0), i(BpfInstruction.JEQ_K, 0, 1, 1), s(BpfInstruction.ST, 3),
        s(BpfInstruction.LD_MEM, 3), s(BpfInstruction.RET_A, 0));
    assertTrue(m.startsWith("instruction 0003"), m);
    assertThrows(IllegalArgumentException.class, () -> BpfProgram.of(List.of(s(BpfInstruction.LD_W_ABS, 0))));
    assertThrows(BpfFormatException.class, () -> BpfDecoder.verify(List.of()));
  }

  @Test
  void evaluate_everyAcceptedOpcode_behavesLikeClassicBpf() throws Exception {
    // computes ((nr + 3) * 2 - 1) | 0x100, xor 0x1, and 0xffff, lsh 4, rsh 4, div 2, mod 1000, neg twice; through X and M
    BpfProgram p = BpfDecoder.decode(bytes(
        s(BpfInstruction.LD_W_ABS, 0),
        s(0x04, 3), s(0x24, 2), s(0x14, 1), s(0x44, 0x100), s(0xa4, 1), s(0x54, 0xffff),
        s(0x64, 4), s(0x74, 4), s(0x34, 2), s(0x94, 1000), s(0x84, 0), s(0x84, 0),
        s(BpfInstruction.ST, 2), s(BpfInstruction.LDX_MEM, 2), s(BpfInstruction.TXA, 0), s(BpfInstruction.TAX, 0),
        s(BpfInstruction.STX, 5), s(BpfInstruction.LD_MEM, 5), s(BpfInstruction.LD_IMM, 0),
        s(0x0c, 0), // add X
        s(BpfInstruction.LDX_IMM, 7), i(0x1d, 0, 1, 0), // jeq X
        s(BpfInstruction.RET_K, 1),
        s(BpfInstruction.LD_W_LEN, 0), s(BpfInstruction.LDX_W_LEN, 0), i(BpfInstruction.JSET_K, 0, 1, 64),
        s(BpfInstruction.RET_A, 0), s(BpfInstruction.RET_K, 2)));
    for (int nr : new int[] {5, findNr()}) {
      assertEquals(compute(nr) == 7 ? 1 : 64, p.evaluate(0, nr, 0L), "nr " + nr);
    }
    String listing = p.disassemble();
    for (String mnemonic : new String[] {"add", "mul", "sub", "or", "xor", "and", "lsh", "rsh", "div", "mod", "neg",
        "st     M[2]", "ldx    M[2]", "txa", "tax", "stx", "ld     M[5]", "ld     #0x0", "ldx    #0x7", "jeq    X",
        "ld     #len", "ldx    #len", "jset", "ret    A"}) {
      assertTrue(listing.contains(mnemonic), mnemonic + " in\n" + listing);
    }
  }

  /** The nr for which the arithmetic above yields 7, found by search so the test does not hard-code it. */
  private static int findNr() {
    for (int nr = 0; nr < 100000; nr++) {
      if (compute(nr) == 7) {
        return nr;
      }
    }
    throw new AssertionError("no nr gives 7");
  }

  private static int compute(int nr) {
    return ((((((nr + 3) * 2 - 1) | 0x100) ^ 1) & 0xffff) << 4 >>> 4) / 2 % 1000;
  }

  @Test
  void evaluate_divisionByZeroX_returnsZero() throws Exception {
    BpfProgram p = BpfDecoder.decode(bytes(s(BpfInstruction.LDX_IMM, 0), s(0x3c, 0), s(BpfInstruction.RET_K, 9)));
    assertEquals(0, p.evaluate(0, 1, 0L));
    assertEquals(SeccompAction.killThread(), SeccompAction.fromReturnValue(0));
  }

  @Test
  void disassemble_unreachableCodeAndArgLoads_areMarked() throws Exception {
    BpfProgram p = BpfDecoder.decode(bytes(s(BpfInstruction.LD_W_ABS, 20), s(BpfInstruction.JA, 1),
        s(BpfInstruction.LD_W_ABS, 8), s(BpfInstruction.LD_W_ABS, 12), s(BpfInstruction.RET_K, 0x7fff0000)));
    String text = p.disassemble();
    assertTrue(text.contains("A = args[0] hi"), text);
    assertTrue(text.contains("A = instruction_pointer lo (unreachable)"), text);
    assertTrue(text.contains("A = instruction_pointer hi"), text);
    assertTrue(text.contains("; ALLOW"), text);
  }

  @Test
  void seccompAction_roundTripsEveryKind_andFollowsKernelForUnknownValues() {
    for (SeccompAction a : List.of(SeccompAction.allow(), SeccompAction.log(), SeccompAction.errno(13),
        SeccompAction.trap(), SeccompAction.killProcess(), SeccompAction.killThread())) {
      assertEquals(a, SeccompAction.fromReturnValue(a.toReturnValue()));
    }
    assertEquals(SeccompAction.errno(4095), SeccompAction.fromReturnValue(0x0005FFFF));
    assertEquals(SeccompAction.killProcess(), SeccompAction.fromReturnValue(0x12340000));
    assertEquals(SeccompAction.Kind.TRACE, SeccompAction.fromReturnValue(0x7FF00005).kind());
    assertEquals("TRACE(5)", SeccompAction.fromReturnValue(0x7FF00005).toString());
    assertEquals(SeccompAction.Kind.USER_NOTIF, SeccompAction.fromReturnValue(0x7FC00000).kind());
    assertEquals("ERRNO(13)", SeccompAction.errno(13).toString());
    assertEquals("TRAP", SeccompAction.trap().toString());
    assertThrows(IllegalArgumentException.class, () -> SeccompAction.errno(4096));
    assertThrows(IllegalArgumentException.class, () -> SeccompAction.errno(-1));
    assertThrows(IllegalArgumentException.class, () -> new SeccompAction(SeccompAction.Kind.ALLOW, 1));
    assertThrows(IllegalArgumentException.class, () -> new SeccompAction(SeccompAction.Kind.TRAP, 70000));
    assertThrows(IllegalArgumentException.class, () -> new SeccompAction(null, 0));
  }

  @Test
  void instruction_fieldRanges_areChecked() {
    assertThrows(IllegalArgumentException.class, () -> new BpfInstruction(0x10000, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new BpfInstruction(0, 256, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new BpfInstruction(0, 0, -1, 0));
    assertEquals("{0x15, 1, 2, 0x00000003}", new BpfInstruction(0x15, 1, 2, 3).toString());
  }
}
