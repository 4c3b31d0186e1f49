package dev.secureyeoman.examples.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The fenced code blocks of {@code README.md} and {@code docs/*.md}, each with the HTML comment marker that stands on
 * the line right above its opening fence (if any). Line numbers are 1-based and point at the opening fence, so a
 * failure reads {@code docs/audit.md:9}.
 */
final class DocBlocks {
  private DocBlocks() {}

  /**
   * One fenced block.
   *
   * @param file path relative to the repository root, e.g. {@code docs/audit.md}
   * @param fenceLine line of the opening fence
   * @param lang the info string after the fence ({@code java}, {@code bash}, or empty)
   * @param marker the text of the {@code <!-- ... -->} comment right above the fence, without the delimiters
   * @param lines the block's lines
   */
  record Block(String file, int fenceLine, String lang, Optional<String> marker, List<String> lines) {
    /** {@code file:line} of the opening fence. */
    String where() {
      return file + ":" + fenceLine;
    }

    /** {@code file:line} of the block's {@code i}-th line (0-based). */
    String where(int i) {
      return file + ":" + (fenceLine + 1 + i);
    }

    String text() {
      return String.join("\n", lines);
    }
  }

  /** The repository root (the examples module's parent directory). */
  static Path repo() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("docs")) ? here : here.getParent();
  }

  /** README.md and docs/*.md, sorted. */
  static List<Path> documents() {
    Path repo = repo();
    List<Path> docs = new ArrayList<>();
    docs.add(repo.resolve("README.md"));
    try (Stream<Path> s = Files.list(repo.resolve("docs"))) {
      s.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(docs::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  /** Every fenced block of every document. */
  static List<Block> all() {
    List<Block> blocks = new ArrayList<>();
    for (Path doc : documents()) {
      blocks.addAll(parse(repo().relativize(doc).toString(), read(doc)));
    }
    return blocks;
  }

  static List<String> read(Path doc) {
    try {
      return Files.readAllLines(doc);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Block> parse(String name, List<String> lines) {
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!line.startsWith("```")) {
        continue;
      }
      String lang = line.substring(3).trim();
      int end = i + 1;
      while (end < lines.size() && !lines.get(end).startsWith("```")) {
        end++;
      }
      blocks.add(new Block(name, i + 1, lang, markerAbove(lines, i), List.copyOf(lines.subList(i + 1, end))));
      i = end;
    }
    return blocks;
  }

  /** The HTML comment ending on the line right above {@code fence} (it may span several lines). */
  private static Optional<String> markerAbove(List<String> lines, int fence) {
    if (fence == 0 || !lines.get(fence - 1).stripTrailing().endsWith("-->")) {
      return Optional.empty();
    }
    int start = fence - 1;
    while (start >= 0 && !lines.get(start).stripLeading().startsWith("<!--")) {
      start--;
    }
    if (start < 0) {
      return Optional.empty();
    }
    String text = String.join("\n", lines.subList(start, fence)).strip();
    return Optional.of(text.substring(4, text.length() - 3).strip());
  }
}
