package dev.secureyeoman.audit.internal;

import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.Checkpoint;
import dev.secureyeoman.audit.CheckpointSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Append-only checkpoint file: each note is appended and fsynced; nothing is ever rewritten. */
public final class FileCheckpointSink implements CheckpointSink {
  private static final long MAX_FILE = 64L << 20;
  private final Path file;

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
    try {
      Path parent = file.getParent();
      if (parent != null) {
        Files0600.createDirectories0700(parent);
      }
      Files0600.createIfAbsent(file);
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        ByteBuffer buf = ByteBuffer.wrap((checkpoint.toText() + "\n").getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
    } catch (IOException e) {
      throw new AuditException("cannot append checkpoint to " + file, e);
    }
  }

  @Override
  public synchronized List<Checkpoint> readAll() throws AuditException {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      if (Files.size(file) > MAX_FILE) {
        throw new AuditException("checkpoint file " + file + " is larger than " + MAX_FILE + " bytes");
      }
      return parseAll(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AuditException("cannot read checkpoint file " + file, e);
    } catch (IllegalArgumentException e) {
      throw new AuditException("malformed checkpoint file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Parses a concatenation of checkpoint notes separated by blank lines.
   *
   * @param text file content
   * @return the checkpoints in file order
   */
  public static List<Checkpoint> parseAll(String text) {
    List<Checkpoint> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      if (cur.length() == 0 && line.isEmpty()) {
        continue;
      }
      cur.append(line).append('\n');
      if (line.startsWith("\u2014 ")) {
        out.add(Checkpoint.parse(cur.toString()));
        cur.setLength(0);
      }
    }
    if (cur.length() > 0) {
      throw new IllegalArgumentException("trailing incomplete checkpoint");
    }
    return out;
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
