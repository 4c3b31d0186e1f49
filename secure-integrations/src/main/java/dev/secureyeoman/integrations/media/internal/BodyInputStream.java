package dev.secureyeoman.integrations.media.internal;

import java.io.IOException;
import java.io.InputStream;

/** Base of the body decoders: single-byte reads go through the bulk read, where the framing logic lives. */
abstract class BodyInputStream extends InputStream {

  @Override
  public final int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public abstract int read(byte[] b, int off, int len) throws IOException;
}
