package dev.secureyeoman.sandbox.internal.seccomp;

import dev.secureyeoman.sandbox.seccomp.Arch;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/** Name/number lookups over the generated {@link SyscallTables}. */
public final class Syscalls {
  private static final Map<Arch, String[]> BY_NUMBER = new EnumMap<>(Arch.class);
  private static final Map<Arch, Map<String, Integer>> BY_NAME = new EnumMap<>(Arch.class);

  static {
    BY_NUMBER.put(Arch.X86_64, SyscallTables.X86_64);
    BY_NUMBER.put(Arch.AARCH64, SyscallTables.AARCH64);
    for (Map.Entry<Arch, String[]> e : BY_NUMBER.entrySet()) {
      Map<String, Integer> names = new HashMap<>();
      String[] table = e.getValue();
      for (int i = 0; i < table.length; i++) {
        if (table[i] != null) {
          names.put(table[i], i);
        }
      }
      BY_NAME.put(e.getKey(), Collections.unmodifiableMap(names));
    }
  }

  private Syscalls() {}

  /**
   * Number of a syscall on an architecture.
   *
   * @param arch the architecture
   * @param name the syscall name
   * @return the number or empty
   */
  public static OptionalInt number(Arch arch, String name) {
    Integer n = Objects.requireNonNull(BY_NAME.get(arch), "a table per architecture").get(name);
    return n == null ? OptionalInt.empty() : OptionalInt.of(n);
  }

  /**
   * Name of a syscall number on an architecture.
   *
   * @param arch the architecture
   * @param number the number
   * @return the name or empty
   */
  public static Optional<String> name(Arch arch, int number) {
    String[] table = Objects.requireNonNull(BY_NUMBER.get(arch), "a table per architecture");
    return number >= 0 && number < table.length ? Optional.ofNullable(table[number]) : Optional.empty();
  }

  /**
   * One past the highest syscall number in an architecture's table: numbers from here on are newer than the headers.
   *
   * @param arch the architecture
   * @return the table size
   */
  public static int tableSize(Arch arch) {
    return Objects.requireNonNull(BY_NUMBER.get(arch), "a table per architecture").length;
  }

  /**
   * Whether any supported architecture knows the name.
   *
   * @param name the syscall name
   * @return true when at least one table has it
   */
  public static boolean knownAnywhere(String name) {
    for (Map<String, Integer> m : BY_NAME.values()) {
      if (m.containsKey(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The headers the tables came from.
   *
   * @return a description such as {@code linux-libc-dev 6.1.187-1}
   */
  public static String source() {
    return SyscallTables.SOURCE;
  }
}
