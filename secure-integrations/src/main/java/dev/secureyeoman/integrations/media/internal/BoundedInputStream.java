package dev.secureyeoman.integrations.media.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Exposes exactly {@code length} bytes of the underlying stream; EOF earlier is an error (truncated body). */
final class BoundedInputStream extends BodyInputStream {
  private final InputStream in;
  private long remaining;

  BoundedInputStream(InputStream in, long length) {
    this.in = in;
    this.remaining = length;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (remaining == 0) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n < 0) {
      throw new EOFException("connection closed " + remaining + " bytes before the declared Content-Length");
    }
    remaining -= n;
    return n;
  }
}
