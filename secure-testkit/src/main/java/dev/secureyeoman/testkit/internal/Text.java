package dev.secureyeoman.testkit.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Tails of logs and outputs for error messages. */
public final class Text {
  /** How much of a log or an output an error message quotes. */
  public static final int TAIL_CHARS = 2000;

  private Text() {}

  /**
   * The last {@link #TAIL_CHARS} characters of {@code text}, marked when cut.
   *
   * @param text any text
   * @return its tail
   */
  public static String tail(String text) {
    String trimmed = text.strip();
    return trimmed.length() <= TAIL_CHARS ? trimmed : "…" + trimmed.substring(trimmed.length() - TAIL_CHARS);
  }

  /**
   * The part of {@code file} written after byte {@code from} (a log's offset before an attempt), or "" if unreadable.
   *
   * @param file a log file
   * @param from the offset to read from
   * @return the text after {@code from}
   */
  public static String readFrom(Path file, long from) {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long start = Math.max(0, Math.min(from, raf.length()));
      byte[] bytes = new byte[(int) Math.min(raf.length() - start, 1 << 20)];
      raf.seek(Math.max(start, raf.length() - bytes.length));
      raf.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Reads a small file of {@code /proc} with plain reads until end of file. ({@code Files.readString} trusts the size
   * the file reports, which is 0 there, and returned only "3" of {@code ip_local_port_range} on JDK 17.)
   *
   * @param file a file under /proc
   * @return its content
   * @throws IOException if it cannot be read (the process is gone)
   */
  public static String readProc(Path file) throws IOException {
    try (var in = java.nio.file.Files.newInputStream(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * The size of {@code file}, 0 if it does not exist.
   *
   * @param file a file
   * @return its size
   */
  public static long size(Path file) {
    return file.toFile().length();
  }
}
