package dev.secureyeoman.integrations.media;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Sample content and small helpers shared by the media tests. */
final class TestMedia {
  private TestMedia() {}

  /** A small valid PNG (1×1, generated with a fixed seed of padding so tests can vary the size). */
  static byte[] png(int size) {
    byte[] b = new byte[Math.max(size, 64)];
    new Random(size).nextBytes(b);
    byte[] sig = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    System.arraycopy(sig, 0, b, 0, sig.length);
    return b;
  }

  /** A JPEG prefix followed by random bytes. */
  static byte[] jpeg(int size) {
    byte[] b = new byte[Math.max(size, 64)];
    new Random(size + 7).nextBytes(b);
    b[0] = (byte) 0xFF;
    b[1] = (byte) 0xD8;
    b[2] = (byte) 0xFF;
    b[3] = (byte) 0xE0;
    return b;
  }

  /** An ELF header followed by zeros. */
  static byte[] elf() {
    byte[] b = new byte[256];
    b[0] = 0x7F;
    b[1] = 'E';
    b[2] = 'L';
    b[3] = 'F';
    return b;
  }

  /** A resolver that maps every name to 127.0.0.1. */
  static HostResolver loopbackResolver() {
    return host -> List.of(InetAddress.getLoopbackAddress());
  }

  /** Every entry below {@code dir}, recursively, excluding {@code dir} itself. */
  static List<Path> entries(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> !p.equals(dir)).toList();
    }
  }
}
