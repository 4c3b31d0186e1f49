package dev.secureyeoman.integrations.media.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;

/**
 * Decodes an HTTP/1.1 {@code chunked} body with bounded chunk-size lines and trailers; EOF before the last chunk is an
 * error (a truncated body is never taken for a complete one).
 */
public final class ChunkedInputStream extends BodyInputStream {
  private static final int MAX_LINE = 4096;

  private final InputStream in;
  private long remainingInChunk;
  private boolean done;

  /**
   * Wraps a stream positioned at the first chunk-size line.
   *
   * @param in the connection input
   */
  public ChunkedInputStream(InputStream in) {
    this.in = in;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (done) {
      return -1;
    }
    if (remainingInChunk == 0) {
      remainingInChunk = nextChunkSize();
      if (remainingInChunk == 0) {
        readTrailers();
        done = true;
        return -1;
      }
    }
    int n = in.read(b, off, (int) Math.min(len, remainingInChunk));
    if (n < 0) {
      throw new EOFException("connection closed inside a chunk");
    }
    remainingInChunk -= n;
    if (remainingInChunk == 0) {
      expectCrlf();
    }
    return n;
  }

  private long nextChunkSize() throws IOException {
    int[] budget = {MAX_LINE};
    String line = HttpResponseHead.readLine(in, budget);
    int semi = line.indexOf(';');
    String hex = (semi >= 0 ? line.substring(0, semi) : line).strip();
    if (hex.isEmpty() || hex.length() > 15) {
      throw new ProtocolException("malformed chunk size");
    }
    long size = 0;
    for (int i = 0; i < hex.length(); i++) {
      int d = Character.digit(hex.charAt(i), 16);
      if (d < 0 || hex.charAt(i) > 0x7f) {
        throw new ProtocolException("malformed chunk size");
      }
      size = (size << 4) | d;
    }
    return size;
  }

  private void expectCrlf() throws IOException {
    int cr = in.read();
    int lf = in.read();
    if (cr != '\r' || lf != '\n') {
      throw new ProtocolException("missing CRLF after chunk data");
    }
  }

  private void readTrailers() throws IOException {
    int[] budget = {HttpResponseHead.MAX_HEAD_BYTES};
    while (!HttpResponseHead.readLine(in, budget).isEmpty()) {
      // trailers are ignored
    }
  }
}
