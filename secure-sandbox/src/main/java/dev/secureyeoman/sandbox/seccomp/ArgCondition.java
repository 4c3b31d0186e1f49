package dev.secureyeoman.sandbox.seccomp;

/**
 * A test on one 64-bit syscall argument; all conditions of a {@link SyscallRule} must hold for the rule to match.
 *
 * <p>Comparisons are unsigned over the full 64 bits. For arguments the kernel declares as {@code int} or
 * {@code unsigned int} (socket domains, ioctl requests) use the {@code *32} factories: the kernel ignores the upper
 * 32 bits of such arguments, so comparing them would let a caller dodge an equality test by setting high bits.
 *
 * <p>Seccomp sees only register values: a pointer argument is an address, never the string or struct behind it.
 *
 * @param index argument index, 0 to 5
 * @param op the comparison
 * @param value the operand (the lower bound for {@link Op#IN_RANGE})
 * @param operand2 the mask for {@link Op#MASKED_EQ}, the inclusive upper bound for {@link Op#IN_RANGE}, else 0
 */
public record ArgCondition(int index, Op op, long value, long operand2) {
  /** Comparison operators. */
  public enum Op {
    /** {@code arg == value}. */
    EQ,
    /** {@code arg != value}. */
    NE,
    /** {@code (arg & operand2) == value}. */
    MASKED_EQ,
    /** {@code arg < value} (unsigned). */
    LT,
    /** {@code arg <= value} (unsigned). */
    LE,
    /** {@code arg > value} (unsigned). */
    GT,
    /** {@code arg >= value} (unsigned). */
    GE,
    /** {@code value <= arg <= operand2} (unsigned, inclusive). */
    IN_RANGE
  }

  /**
   * Validates the components.
   *
   * @param index argument index
   * @param op operator
   * @param value operand
   * @param operand2 mask or upper bound
   * @throws IllegalArgumentException on an index outside 0..5, a masked value with bits outside the mask, an empty
   *     range, or a non-zero second operand for a plain comparison
   */
  public ArgCondition {
    if (index < 0 || index > 5) {
      throw new IllegalArgumentException("argument index must be in [0, 5], got " + index);
    }
    if (op == null) {
      throw new IllegalArgumentException("op must not be null");
    }
    if (op == Op.MASKED_EQ && (value & ~operand2) != 0) {
      throw new IllegalArgumentException(
          String.format("masked value 0x%x has bits outside mask 0x%x and could never match", value, operand2));
    }
    if (op == Op.IN_RANGE && Long.compareUnsigned(value, operand2) > 0) {
      throw new IllegalArgumentException(
          "range lower bound " + Long.toUnsignedString(value) + " exceeds upper bound "
              + Long.toUnsignedString(operand2));
    }
    if (op != Op.MASKED_EQ && op != Op.IN_RANGE && operand2 != 0) {
      throw new IllegalArgumentException("operand2 must be 0 for " + op);
    }
  }

  /**
   * {@code arg == value} over 64 bits.
   *
   * @param index argument index 0..5
   * @param value the value
   * @return the condition
   */
  public static ArgCondition eq(int index, long value) {
    return new ArgCondition(index, Op.EQ, value, 0);
  }

  /**
   * {@code (int) arg == value}: compares only the lower 32 bits, for {@code int}-typed arguments.
   *
   * @param index argument index 0..5
   * @param value the 32-bit value
   * @return the condition
   */
  public static ArgCondition eq32(int index, int value) {
    return maskedEq(index, 0xFFFF_FFFFL, value & 0xFFFF_FFFFL);
  }

  /**
   * {@code arg != value} over 64 bits.
   *
   * @param index argument index 0..5
   * @param value the value
   * @return the condition
   */
  public static ArgCondition ne(int index, long value) {
    return new ArgCondition(index, Op.NE, value, 0);
  }

  /**
   * {@code (arg & mask) == value}.
   *
   * @param index argument index 0..5
   * @param mask bits to compare
   * @param value expected bits, a subset of mask
   * @return the condition
   */
  public static ArgCondition maskedEq(int index, long mask, long value) {
    return new ArgCondition(index, Op.MASKED_EQ, value, mask);
  }

  /**
   * {@code arg < value}, unsigned.
   *
   * @param index argument index 0..5
   * @param value the bound
   * @return the condition
   */
  public static ArgCondition lt(int index, long value) {
    return new ArgCondition(index, Op.LT, value, 0);
  }

  /**
   * {@code arg <= value}, unsigned.
   *
   * @param index argument index 0..5
   * @param value the bound
   * @return the condition
   */
  public static ArgCondition le(int index, long value) {
    return new ArgCondition(index, Op.LE, value, 0);
  }

  /**
   * {@code arg > value}, unsigned.
   *
   * @param index argument index 0..5
   * @param value the bound
   * @return the condition
   */
  public static ArgCondition gt(int index, long value) {
    return new ArgCondition(index, Op.GT, value, 0);
  }

  /**
   * {@code arg >= value}, unsigned.
   *
   * @param index argument index 0..5
   * @param value the bound
   * @return the condition
   */
  public static ArgCondition ge(int index, long value) {
    return new ArgCondition(index, Op.GE, value, 0);
  }

  /**
   * {@code low <= arg <= high}, unsigned, inclusive.
   *
   * @param index argument index 0..5
   * @param low lower bound
   * @param high upper bound, not below {@code low}
   * @return the condition
   */
  public static ArgCondition inRange(int index, long low, long high) {
    return new ArgCondition(index, Op.IN_RANGE, low, high);
  }

  /**
   * Evaluates the condition on an argument value, exactly as the compiled BPF does.
   *
   * @param arg the 64-bit argument
   * @return whether the condition holds
   */
  public boolean test(long arg) {
    switch (op) {
      case EQ:
        return arg == value;
      case NE:
        return arg != value;
      case MASKED_EQ:
        return (arg & operand2) == value;
      case LT:
        return Long.compareUnsigned(arg, value) < 0;
      case LE:
        return Long.compareUnsigned(arg, value) <= 0;
      case GT:
        return Long.compareUnsigned(arg, value) > 0;
      case GE:
        return Long.compareUnsigned(arg, value) >= 0;
      case IN_RANGE:
        return Long.compareUnsigned(arg, value) >= 0 && Long.compareUnsigned(arg, operand2) <= 0;
      default:
        throw new AssertionError(op);
    }
  }

  @Override
  public String toString() {
    String a = "arg" + index;
    switch (op) {
      case MASKED_EQ:
        return String.format("(%s & 0x%x) == 0x%x", a, operand2, value);
      case IN_RANGE:
        return String.format("0x%x <= %s <= 0x%x", value, a, operand2);
      case EQ:
        return String.format("%s == 0x%x", a, value);
      case NE:
        return String.format("%s != 0x%x", a, value);
      case LT:
        return String.format("%s < 0x%x", a, value);
      case LE:
        return String.format("%s <= 0x%x", a, value);
      case GT:
        return String.format("%s > 0x%x", a, value);
      default:
        return String.format("%s >= 0x%x", a, value);
    }
  }
}
