package dev.secureyeoman.sandbox.internal.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secureyeoman.sandbox.seccomp.bpf.BpfInstruction;
import dev.secureyeoman.sandbox.seccomp.bpf.BpfProgram;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Label resolution and long-jump relaxation. */
class BpfAssemblerTest {
  private static final int RET_FAR_T = 1;
  private static final int RET_FAR_F = 2;

  /** jeq #5 with both targets beyond 255 instructions, separated by 300 filler loads. */
  private static List<BpfInstruction> farBothWays() {
    BpfAssembler asm = new BpfAssembler();
    BpfAssembler.Label t = asm.newLabel();
    BpfAssembler.Label f = asm.newLabel();
    asm.stmt(BpfInstruction.LD_W_ABS, 0);
    asm.jump(BpfInstruction.JEQ_K, 5, t, f);
    for (int i = 0; i < 300; i++) {
      asm.stmt(BpfInstruction.LD_W_ABS, 4);
    }
    asm.stmt(BpfInstruction.RET_K, 0);
    asm.bind(t);
    asm.stmt(BpfInstruction.RET_K, RET_FAR_T);
    asm.bind(f);
    asm.stmt(BpfInstruction.RET_K, RET_FAR_F);
    return asm.assemble();
  }

  @Test
  void assemble_bothTargetsFar_useTwoTrampolines() {
    List<BpfInstruction> insns = farBothWays();
    assertEquals(new BpfInstruction(BpfInstruction.JEQ_K, 0, 1, 5), insns.get(1));
    assertEquals(BpfInstruction.JA, insns.get(2).code());
    assertEquals(BpfInstruction.JA, insns.get(3).code());
    BpfProgram p = BpfProgram.of(insns);
    assertEquals(RET_FAR_T, p.evaluate(0, 5, 0L));
    assertEquals(RET_FAR_F, p.evaluate(0, 6, 0L));
  }

  @Test
  void assemble_farReturnTarget_trampolineIsTheReturnItself() {
    BpfAssembler asm = new BpfAssembler();
    BpfAssembler.Label allow = asm.newReturnLabel(0x7fff0000);
    asm.stmt(BpfInstruction.LD_W_ABS, 0);
    asm.jump(BpfInstruction.JEQ_K, 1, null, allow); // far jf, fall-through jt must skip the trampoline
    asm.stmt(BpfInstruction.RET_K, 9);
    for (int i = 0; i < 300; i++) {
      asm.stmt(BpfInstruction.RET_K, 0);
    }
    asm.bind(allow);
    asm.stmt(BpfInstruction.RET_K, 0x7fff0000);
    List<BpfInstruction> insns = asm.assemble();
    assertEquals(new BpfInstruction(BpfInstruction.JEQ_K, 1, 0, 1), insns.get(1));
    assertEquals(BpfInstruction.stmt(BpfInstruction.RET_K, 0x7fff0000), insns.get(2));
    BpfProgram p = BpfProgram.of(insns);
    assertEquals(9, p.evaluate(0, 1, 0L));
    assertEquals(0x7fff0000, p.evaluate(0, 2, 0L));
  }

  @Test
  void assemble_misuse_isRejected() {
    BpfAssembler asm = new BpfAssembler();
    BpfAssembler.Label l = asm.newLabel();
    asm.bind(l);
    assertThrows(IllegalStateException.class, () -> asm.bind(l));
    asm.ja(l);
    assertThrows(IllegalStateException.class, asm::assemble); // backward jump
    BpfAssembler unbound = new BpfAssembler();
    unbound.ja(unbound.newLabel());
    assertThrows(IllegalStateException.class, unbound::assemble);
  }
}
