package dev.secureyeoman.integrations.media;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;

/**
 * A raw-socket HTTP/1.1 server on 127.0.0.1 (port 0) whose responses are written byte by byte by the test, so tests
 * can pause mid-body, send exactly cap + 1 bytes, lie in headers, or redirect. Records every request head.
 */
final class LoopbackHttpServer implements AutoCloseable {

  /** A received request. */
  record Request(String requestLine, List<String> fields) {
    String field(String name) {
      String prefix = name.toLowerCase(Locale.ROOT) + ":";
      for (String f : fields) {
        if (f.toLowerCase(Locale.ROOT).startsWith(prefix)) {
          return f.substring(prefix.length()).strip();
        }
      }
      return null;
    }
  }

  /** Writes a response. */
  @FunctionalInterface
  interface Responder {
    void respond(Request request, OutputStream out) throws Exception;
  }

  private final ServerSocket server;
  private final Responder responder;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger connections = new AtomicInteger();
  private final Thread acceptor;

  LoopbackHttpServer(Responder responder) throws IOException {
    this(ServerSocketFactory.getDefault(), responder);
  }

  LoopbackHttpServer(ServerSocketFactory factory, Responder responder) throws IOException {
    this.server = factory.createServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.responder = responder;
    this.acceptor = new Thread(this::acceptLoop, "loopback-http-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  List<Request> requests() {
    return requests;
  }

  int connections() {
    return connections.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        connections.incrementAndGet();
        sockets.add(s);
        Thread t = new Thread(() -> serve(s), "loopback-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      String line = readLine(in);
      List<String> fields = new ArrayList<>();
      String f;
      while (!(f = readLine(in)).isEmpty()) {
        fields.add(f);
      }
      Request r = new Request(line, List.copyOf(fields));
      requests.add(r);
      OutputStream out = s.getOutputStream();
      responder.respond(r, out);
      out.flush();
    } catch (Exception e) {
      // the client aborted: expected in cap tests
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  /** Writes a complete 200 response with Content-Length. */
  static void ok(OutputStream out, String contentType, byte[] body) throws IOException {
    head(out, 200, "Content-Type: " + contentType, "Content-Length: " + body.length);
    out.write(body);
  }

  /** Writes a status line and fields, then the blank line. */
  static void head(OutputStream out, int status, String... fields) throws IOException {
    StringBuilder b = new StringBuilder("HTTP/1.1 ").append(status).append(" X\r\n");
    for (String f : fields) {
      b.append(f).append("\r\n");
    }
    b.append("Connection: close\r\n\r\n");
    out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Writes one chunk of a chunked body. */
  static void chunk(OutputStream out, byte[] data, int off, int len) throws IOException {
    out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(data, off, len);
    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
    synchronized (sockets) {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
