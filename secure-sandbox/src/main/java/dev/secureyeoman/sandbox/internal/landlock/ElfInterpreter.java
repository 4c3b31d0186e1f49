package dev.secureyeoman.sandbox.internal.landlock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/** Finds what the kernel executes besides a file: the ELF {@code PT_INTERP} or a script's {@code #!} interpreter. */
public final class ElfInterpreter {
  private static final int PT_INTERP = 3;
  private static final int MAX_INTERP = 4096;
  private static final int MAX_PHNUM = 4096;

  private ElfInterpreter() {}

  /**
   * The interpreter of an executable file.
   *
   * @param file a regular file
   * @return the interpreter's path, or empty for static binaries, non-executables and unreadable files
   */
  public static Optional<Path> of(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer head = ByteBuffer.allocate(256);
      ch.read(head, 0);
      head.flip();
      if (head.remaining() >= 2 && head.get(0) == '#' && head.get(1) == '!') {
        return shebang(head);
      }
      if (head.remaining() < 64 || head.getInt(0) != 0x7F454C46) { // "\177ELF", read big-endian
        return Optional.empty();
      }
      if (head.get(4) != 2 || head.get(5) != 1) { // ELFCLASS64, ELFDATA2LSB: the only layouts we run on
        return Optional.empty();
      }
      head.order(ByteOrder.LITTLE_ENDIAN);
      long phoff = head.getLong(32);
      int phentsize = Short.toUnsignedInt(head.getShort(54));
      int phnum = Short.toUnsignedInt(head.getShort(56));
      if (phentsize < 56 || phnum > MAX_PHNUM || phoff < 0) {
        return Optional.empty();
      }
      ByteBuffer ph = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < phnum; i++) {
        ph.clear();
        if (ch.read(ph, phoff + (long) i * phentsize) < 56) {
          return Optional.empty();
        }
        if (ph.getInt(0) == PT_INTERP) {
          long off = ph.getLong(8);
          long size = ph.getLong(32);
          if (size <= 1 || size > MAX_INTERP || off < 0) {
            return Optional.empty();
          }
          ByteBuffer s = ByteBuffer.allocate((int) size);
          ch.read(s, off);
          String path = new String(s.array(), 0, (int) size - 1, StandardCharsets.UTF_8);
          return path.startsWith("/") ? Optional.of(Path.of(path)) : Optional.empty();
        }
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<Path> shebang(ByteBuffer head) {
    StringBuilder sb = new StringBuilder();
    int i = 2;
    while (i < head.limit() && (head.get(i) == ' ' || head.get(i) == '\t')) {
      i++;
    }
    while (i < head.limit()) {
      byte b = head.get(i++);
      if (b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0) {
        break;
      }
      sb.append((char) (b & 0xFF));
    }
    String path = sb.toString();
    return path.startsWith("/") ? Optional.of(Path.of(path)) : Optional.empty();
  }
}
