package dev.secureyeoman.audit.internal;

import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.audit.Checkpoint;
import dev.secureyeoman.audit.CheckpointSink;
import dev.secureyeoman.core.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Append-only checkpoint file: each note is appended with one write and fsynced; existing content is never rewritten.
 * A note is complete once its signature line and the newline after it are on disk. A file that ends in an incomplete
 * note (a torn write) is reported as such and refuses appends until {@link #repairTornTail()} moved the torn bytes
 * aside — appending after a torn note would glue the new note to it and make both unreadable.
 */
public final class FileCheckpointSink implements CheckpointSink {
  private static final long MAX_FILE = 64L << 20;
  private static final String SIG_PREFIX = "\u2014 ";
  private static final byte[] SIG_PREFIX_BYTES = SIG_PREFIX.getBytes(StandardCharsets.UTF_8);
  private final Path file;

  /**
   * What the file holds.
   *
   * @param complete the complete notes, in file order
   * @param completeBytes length in bytes of the prefix made of complete notes
   * @param tornBytes bytes after that prefix (an incomplete note), 0 when the file is clean
   */
  public record Contents(List<Checkpoint> complete, long completeBytes, long tornBytes) {
    /**
     * Whether the file ends in an incomplete note.
     *
     * @return true when torn
     */
    public boolean torn() {
      return tornBytes > 0;
    }
  }

  /**
   * Creates the sink (the file is created on first append).
   *
   * @param file the checkpoint file
   */
  public FileCheckpointSink(Path file) {
    this.file = file.toAbsolutePath().normalize();
  }

  @Override
  public synchronized void append(Checkpoint checkpoint) throws AuditException {
    Contents now = read();
    if (now.torn()) {
      throw tornException(now);
    }
    try {
      Path parent = file.getParent();
      if (parent != null) {
        OwnerOnlyFiles.createDirectories(parent);
      }
      OwnerOnlyFiles.createFileIfAbsent(file);
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        ByteBuffer buf = ByteBuffer.wrap((checkpoint.toText() + "\n").getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
    } catch (IOException e) {
      throw new AuditException(Reason.STORAGE, "cannot append checkpoint to " + file, e);
    }
  }

  @Override
  public synchronized List<Checkpoint> readAll() throws AuditException {
    Contents c = read();
    if (c.torn()) {
      throw tornException(c);
    }
    return c.complete();
  }

  /**
   * Reads the file, telling complete notes from a torn tail.
   *
   * @return the contents (empty when the file does not exist)
   * @throws AuditException if the file cannot be read, is too large, or a complete note is malformed
   */
  public synchronized Contents read() throws AuditException {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_FILE) {
        throw new AuditException(
            Reason.CHECKPOINT_FILE_MALFORMED, "checkpoint file " + file + " is larger than " + MAX_FILE + " bytes");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new Contents(List.of(), 0, 0);
    } catch (IOException e) {
      throw new AuditException(Reason.STORAGE, "cannot read checkpoint file " + file, e);
    }
    try {
      return parse(bytes);
    } catch (IllegalArgumentException e) {
      throw new AuditException(
          Reason.CHECKPOINT_FILE_MALFORMED, "malformed checkpoint file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Moves an incomplete last note aside (to {@code <file>.torn-<epoch millis>}, mode 0600) and truncates the file to
   * its complete notes, so that checkpoints can be appended again. Complete notes are never touched.
   *
   * @return the number of bytes moved aside (0 when the file was not torn)
   * @throws AuditException if the file cannot be read or written, or holds a malformed complete note
   */
  public synchronized long repairTornTail() throws AuditException {
    Contents c = read();
    if (!c.torn()) {
      return 0;
    }
    try {
      byte[] all = Files.readAllBytes(file);
      byte[] tail = Arrays.copyOfRange(all, (int) c.completeBytes(), all.length);
      Path aside = file.resolveSibling(file.getFileName() + ".torn-" + System.currentTimeMillis());
      OwnerOnlyFiles.createFileIfAbsent(aside);
      Files.write(aside, tail, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(c.completeBytes());
        ch.force(true);
      }
      return tail.length;
    } catch (IOException e) {
      throw new AuditException(Reason.STORAGE, "cannot repair checkpoint file " + file, e);
    }
  }

  private AuditException tornException(Contents c) {
    return new AuditException(
        Reason.CHECKPOINT_FILE_TORN,
        "checkpoint file " + file + " ends in an incomplete note (" + c.tornBytes() + " bytes after the last of "
            + c.complete().size() + " complete checkpoints): repair it with 'secureyeoman audit repair-checkpoints"
            + " --checkpoint " + file + "'");
  }

  /**
   * Parses a concatenation of checkpoint notes separated by blank lines; text after the last complete note is a torn
   * tail.
   *
   * @param bytes file content (UTF-8; a torn tail may end inside a character, a complete note must be valid UTF-8)
   * @return the contents
   * @throws IllegalArgumentException if a complete note is malformed
   */
  public static Contents parse(byte[] bytes) {
    List<Checkpoint> out = new ArrayList<>();
    int completeEnd = 0;
    int pos = 0;
    int noteStart = -1;
    while (pos < bytes.length) {
      int nl = indexOf(bytes, (byte) '\n', pos);
      if (nl < 0) {
        break; // an unterminated last line: torn
      }
      boolean empty = nl == pos;
      if (noteStart < 0 && !empty) {
        noteStart = pos;
      }
      boolean signature = startsWith(bytes, pos, nl, SIG_PREFIX_BYTES);
      pos = nl + 1;
      if (noteStart >= 0 && signature) {
        out.add(Checkpoint.parse(strictUtf8(bytes, noteStart, pos)));
        noteStart = -1;
        completeEnd = pos;
      }
    }
    // blank lines after the last complete note belong to it (each note is followed by one)
    while (completeEnd < bytes.length && bytes[completeEnd] == '\n') {
      completeEnd++;
    }
    return new Contents(List.copyOf(out), completeEnd, bytes.length - completeEnd);
  }

  private static int indexOf(byte[] b, byte v, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == v) {
        return i;
      }
    }
    return -1;
  }

  private static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
    if (to - from < prefix.length) {
      return false;
    }
    return Arrays.equals(b, from, from + prefix.length, prefix, 0, prefix.length);
  }

  private static String strictUtf8(byte[] b, int from, int to) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b, from, to - from))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("malformed checkpoint: not valid UTF-8");
    }
  }

  /**
   * Parses a concatenation of checkpoint notes separated by blank lines.
   *
   * @param text file content
   * @return the checkpoints in file order
   * @throws IllegalArgumentException if a note is malformed or the text ends in an incomplete note
   */
  public static List<Checkpoint> parseAll(String text) {
    Contents c = parse(text.getBytes(StandardCharsets.UTF_8));
    if (c.torn()) {
      throw new IllegalArgumentException("trailing incomplete checkpoint");
    }
    return c.complete();
  }

  @Override
  public Optional<Path> location() {
    return Optional.of(file);
  }

  @Override
  public String toString() {
    return "FileCheckpointSink[" + file + "]";
  }
}
