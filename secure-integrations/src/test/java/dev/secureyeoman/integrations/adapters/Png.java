package dev.secureyeoman.integrations.adapters;

/** A small byte string that sniffs as PNG. */
public final class Png {
  private Png() {}

  /**
   * PNG signature and IHDR, padded.
   *
   * @param size total size (at least 64)
   * @return the bytes
   */
  public static byte[] of(int size) {
    byte[] b = new byte[Math.max(size, 64)];
    byte[] sig = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    System.arraycopy(sig, 0, b, 0, sig.length);
    return b;
  }
}
