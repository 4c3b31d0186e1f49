package dev.secureyeoman.integrations.media.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpResponseHeadTest {

  private static InputStream in(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void read_wellFormedHead() throws IOException {
    InputStream in = in("HTTP/1.1 302 Found\r\nLocation: /x\r\nSet-Cookie: a\r\nset-cookie: b\r\n\r\nBODY");
    HttpResponseHead h = HttpResponseHead.read(in);
    assertEquals(302, h.status());
    assertEquals("/x", h.single("location"));
    assertEquals(List.of("a", "b"), h.fields().get("set-cookie"));
    assertThrows(ProtocolException.class, () -> h.single("set-cookie"));
    assertArrayEquals("BODY".getBytes(StandardCharsets.ISO_8859_1), in.readAllBytes());
    assertEquals(200, HttpResponseHead.read(in("HTTP/1.0 200\r\n\r\n")).status());
  }

  @Test
  void read_malformedOrOversized_refused() {
    for (String bad :
        List.of(
            "HTTP/2 200 OK\r\n\r\n",
            "HTTP/1.1 2000 OK\r\n\r\n",
            "HTTP/1.1 099 X\r\n\r\n",
            "HTTP/1.1 20x OK\r\n\r\n",
            "HTTP/1.1 200 OK\nX: y\n\n",
            "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n",
            "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
            "HTTP/1.1 200 OK\r\n: x\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX: \0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX: y\r\n",
            "HTTP/1.1 200 OK\r\nX: " + "a".repeat(HttpResponseHead.MAX_HEAD_BYTES) + "\r\n\r\n",
            "HTTP/1.1 200 OK\r\n" + "X: y\r\n".repeat(HttpResponseHead.MAX_FIELDS + 1) + "\r\n")) {
      assertThrows(IOException.class, () -> HttpResponseHead.read(in(bad)), bad.length() > 80 ? "long" : bad);
    }
  }

  @Test
  void chunked_decodesAndRejectsTruncation() throws IOException {
    InputStream ok = new ChunkedInputStream(in("3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n"));
    assertArrayEquals("abcde".getBytes(StandardCharsets.ISO_8859_1), ok.readAllBytes());
    assertEquals(-1, ok.read());
    for (String bad : List.of("3\r\nab", "3\r\nabcXY", "\r\n", "g\r\n", "1234567890abcdef0\r\n", "3\r\nabc\r\n")) {
      assertThrows(IOException.class, () -> new ChunkedInputStream(in(bad)).readAllBytes(), bad);
    }
  }
}
