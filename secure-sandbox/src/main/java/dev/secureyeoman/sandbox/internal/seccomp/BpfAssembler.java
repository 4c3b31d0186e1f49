package dev.secureyeoman.sandbox.internal.seccomp;

import dev.secureyeoman.sandbox.seccomp.bpf.BpfInstruction;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Classic-BPF assembler with symbolic forward labels. Conditional jumps carry 8-bit offsets; when a target is more than
 * 255 instructions away the assembler relaxes the jump: the far branch goes to a trampoline {@code ja} (32-bit offset)
 * placed right after the jump. Layout is repeated until no jump needs relaxing (growth is monotone, so it terminates).
 */
final class BpfAssembler {
  /** A position in the program; bound once with {@link #bind}. */
  static final class Label {
    private int position = -1;
    private boolean bound;
    // non-null: the label marks "ret #returns", so a trampoline can be that ret
    private final @Nullable Integer returns;

    Label(@Nullable Integer returns) {
      this.returns = returns;
    }
  }

  private static final class Item {
    final @Nullable Label label; // non-null for a label marker
    final int code;
    final int k;
    final @Nullable Label jt; // null: fall through to the next instruction
    final @Nullable Label jf;
    final @Nullable Label ja;
    boolean farT;
    boolean farF;
    int address;

    Item(@Nullable Label label, int code, int k, @Nullable Label jt, @Nullable Label jf, @Nullable Label ja) {
      this.label = label;
      this.code = code;
      this.k = k;
      this.jt = jt;
      this.jf = jf;
      this.ja = ja;
    }

    int size() {
      return label != null ? 0 : 1 + (farT ? 1 : 0) + (farF ? 1 : 0);
    }
  }

  private final List<Item> items = new ArrayList<>();

  Label newLabel() {
    return new Label(null);
  }

  /** A label the caller binds right before {@code ret #value}; far jumps to it become a copy of that ret. */
  Label newReturnLabel(int value) {
    return new Label(value);
  }

  void bind(Label label) {
    if (label.bound) {
      throw new IllegalStateException("label bound twice");
    }
    label.bound = true;
    items.add(new Item(label, 0, 0, null, null, null));
  }

  void stmt(int code, int k) {
    items.add(new Item(null, code, k, null, null, null));
  }

  /** Conditional jump; a null label means "next instruction". */
  void jump(int code, int k, @Nullable Label jt, @Nullable Label jf) {
    items.add(new Item(null, code, k, jt, jf, null));
  }

  void ja(Label target) {
    items.add(new Item(null, BpfInstruction.JA, 0, null, null, target));
  }

  List<BpfInstruction> assemble() {
    boolean changed = true;
    while (changed) {
      int pc = 0;
      for (Item it : items) {
        if (it.label != null) {
          it.label.position = pc;
        } else {
          it.address = pc;
          pc += it.size();
        }
      }
      changed = false;
      for (Item it : items) {
        if (it.label == null && it.ja == null && (it.jt != null || it.jf != null)) {
          if (!it.farT && it.jt != null && offset(it, it.jt) > 255) {
            it.farT = true;
            changed = true;
          }
          if (!it.farF && it.jf != null && offset(it, it.jf) > 255) {
            it.farF = true;
            changed = true;
          }
        }
      }
    }
    List<BpfInstruction> out = new ArrayList<>();
    for (Item it : items) {
      if (it.label != null) {
        continue;
      }
      if (it.ja != null) {
        out.add(BpfInstruction.stmt(BpfInstruction.JA, offset(it, it.ja)));
      } else if (it.jt == null && it.jf == null && !isJump(it.code)) {
        out.add(BpfInstruction.stmt(it.code, it.k));
      } else {
        // trampolines sit between the jump and its fall-through successor: jt's first, then jf's
        int trampolines = (it.farT ? 1 : 0) + (it.farF ? 1 : 0);
        int jt = it.jt == null ? trampolines : it.farT ? 0 : offset(it, it.jt);
        int jf = it.jf == null ? trampolines : it.farF ? (it.farT ? 1 : 0) : offset(it, it.jf);
        out.add(new BpfInstruction(it.code, jt, jf, it.k));
        int trampoline = it.address + 1;
        if (it.farT) {
          out.add(trampoline(Objects.requireNonNull(it.jt, "farT implies jt"), trampoline));
          trampoline++;
        }
        if (it.farF) {
          out.add(trampoline(Objects.requireNonNull(it.jf, "farF implies jf"), trampoline));
        }
      }
    }
    return out;
  }

  private static BpfInstruction trampoline(Label target, int address) {
    return target.returns != null
        ? BpfInstruction.stmt(BpfInstruction.RET_K, target.returns)
        : BpfInstruction.stmt(BpfInstruction.JA, target.position - (address + 1));
  }

  private static boolean isJump(int code) {
    return (code & 0x07) == 0x05;
  }

  private static int offset(Item it, Label target) {
    if (!target.bound) {
      throw new IllegalStateException("jump to an unbound label");
    }
    int off = target.position - (it.address + 1);
    if (off < 0) {
      throw new IllegalStateException("backward jump: classic BPF only jumps forward");
    }
    return off;
  }
}
