package dev.secureyeoman.integrations.media.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A minimal HTTP/1.1 {@code GET} client that connects to an address chosen (and checked) by the caller.
 *
 * <p>Why not {@code java.net.http.HttpClient}: on JDK 17 it resolves host names itself and offers no per-client resolver,
 * so the address it connects to could differ from the one that was checked (DNS rebinding). Pinning it would need
 * JVM-wide switches ({@code jdk.httpclient.allowRestrictedHeaders=host}, disabled hostname verification) that weaken
 * every other client in the host application. Here the TCP socket is connected to the checked {@link InetAddress}, and
 * TLS runs over it with SNI and RFC 2818 endpoint identification for the original host name, so the certificate is
 * checked against the name while the peer is the checked address.
 *
 * <p>One request per connection ({@code Connection: close}), {@code Accept-Encoding: identity}; heads are bounded by
 * {@link HttpResponseHead}; bodies are framed by {@code Content-Length}, {@code chunked}, or the end of the connection,
 * and a response with both or with another transfer or content coding is refused. Every read is bounded by the read
 * timeout and by the overall deadline, and a watchdog closes the socket when the deadline passes, whatever phase
 * (connect, TLS handshake, head, body) is blocked then.
 */
public final class PinnedHttpClient {

  /** Where to connect and what to ask for. */
  public record Target(String host, int port, InetAddress address, String pathAndQuery, boolean tls) {}

  /**
   * Closes connections whose download deadline passed. Closing the socket is the only thing that interrupts every
   * blocking phase (TLS handshake, head, body): read timeouts bound a single read, not a peer that drips.
   */
  private static final ScheduledThreadPoolExecutor WATCHDOG = newWatchdog();

  private static ScheduledThreadPoolExecutor newWatchdog() {
    ScheduledThreadPoolExecutor e =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "secureyeoman-media-deadline");
              t.setDaemon(true);
              return t;
            });
    e.setRemoveOnCancelPolicy(true);
    return e;
  }

  /** An open response; closing it closes the connection. */
  public static final class Exchange implements Closeable {
    private final Socket socket;
    private final HttpResponseHead head;
    private final InputStream body;
    private final long contentLength;
    private final ScheduledFuture<?> deadline;

    private Exchange(
        Socket socket, HttpResponseHead head, InputStream body, long contentLength, ScheduledFuture<?> deadline) {
      this.socket = socket;
      this.head = head;
      this.body = body;
      this.contentLength = contentLength;
      this.deadline = deadline;
    }

    /**
     * Returns the response head.
     *
     * @return status and fields
     */
    public HttpResponseHead head() {
      return head;
    }

    /**
     * Returns the decoded body stream (ends at the body's end; truncation throws).
     *
     * @return the body
     */
    public InputStream body() {
      return body;
    }

    /**
     * Returns the declared {@code Content-Length}.
     *
     * @return the length, or -1 when the body is chunked or delimited by the connection's end
     */
    public long contentLength() {
      return contentLength;
    }

    @Override
    public void close() throws IOException {
      deadline.cancel(false);
      socket.close();
    }
  }

  private final SSLSocketFactory tls;
  private final int connectTimeoutMillis;
  private final int readTimeoutMillis;

  /**
   * Creates a client.
   *
   * @param tls the TLS socket factory (trust decisions come from its context)
   * @param connectTimeoutMillis connect timeout
   * @param readTimeoutMillis longest silence while reading
   */
  public PinnedHttpClient(SSLSocketFactory tls, int connectTimeoutMillis, int readTimeoutMillis) {
    this.tls = tls;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.readTimeoutMillis = readTimeoutMillis;
  }

  /**
   * Connects to {@code target.address()} and sends a GET.
   *
   * @param target the pinned target
   * @param extraHeaders additional request fields (for example {@code Authorization}); values must not contain CR/LF
   * @param deadlineNanos {@link System#nanoTime()} value after which every read fails
   * @return the open exchange
   * @throws IOException on connect, TLS, timeout or protocol failure
   */
  public Exchange get(Target target, Map<String, String> extraHeaders, long deadlineNanos) throws IOException {
    Socket raw = new Socket();
    Socket socket = raw;
    boolean ok = false;
    long untilDeadline = Math.max(0, deadlineNanos - System.nanoTime());
    ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> closeQuietly(raw), untilDeadline, TimeUnit.NANOSECONDS);
    try {
      raw.setTcpNoDelay(true);
      int connectTimeout = (int) Math.min(connectTimeoutMillis, remainingMillis(deadlineNanos));
      raw.connect(new InetSocketAddress(target.address(), target.port()), connectTimeout);
      if (target.tls()) {
        SSLSocket ssl = (SSLSocket) tls.createSocket(raw, target.host(), target.port(), true);
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isLiteral(target.host())) {
          params.setServerNames(List.of(new SNIHostName(target.host())));
        }
        params.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        ssl.setSSLParameters(params);
        socket = ssl;
        socket.setSoTimeout(timeoutFor(deadlineNanos));
        ssl.startHandshake();
      }
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 2048);
      out.write(HttpResponseHead.latin1(requestHead(target, extraHeaders)));
      out.flush();
      InputStream in = new BufferedInputStream(new DeadlineInputStream(socket, socket.getInputStream(), deadlineNanos),
          64 * 1024);
      HttpResponseHead head = HttpResponseHead.read(in);
      for (int i = 0; head.status() < 200; i++) {
        if (i >= 4) {
          throw new ProtocolException("too many interim responses");
        }
        head = HttpResponseHead.read(in);
      }
      String te = head.single("transfer-encoding");
      String cl = head.single("content-length");
      String ce = head.single("content-encoding");
      if (ce != null && !ce.equalsIgnoreCase("identity")) {
        throw new ProtocolException("unrequested content coding");
      }
      InputStream body;
      long length = -1;
      if (head.status() == 204 || head.status() == 304) {
        body = InputStream.nullInputStream();
        length = 0;
      } else if (te != null) {
        if (cl != null) {
          throw new ProtocolException("both Transfer-Encoding and Content-Length");
        }
        if (!te.toLowerCase(Locale.ROOT).equals("chunked")) {
          throw new ProtocolException("unsupported transfer coding");
        }
        body = new ChunkedInputStream(in);
      } else if (cl != null) {
        length = parseContentLength(cl);
        body = new BoundedInputStream(in, length);
      } else {
        body = in;
      }
      ok = true;
      return new Exchange(socket, head, body, length, watchdog);
    } catch (IOException e) {
      if (watchdog.isDone() && !watchdog.isCancelled()) {
        throw new SocketTimeoutException("download deadline reached");
      }
      throw e;
    } finally {
      if (!ok) {
        watchdog.cancel(false);
        socket.close();
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing to interrupt a blocked phase; nothing to report
    }
  }

  private static String requestHead(Target target, Map<String, String> extraHeaders) {
    StringBuilder b = new StringBuilder(256);
    b.append("GET ").append(target.pathAndQuery()).append(" HTTP/1.1\r\n");
    String hostField = target.host().indexOf(':') >= 0 ? "[" + target.host() + "]" : target.host();
    boolean defaultPort = target.port() == (target.tls() ? 443 : 80);
    b.append("Host: ").append(hostField).append(defaultPort ? "" : ":" + target.port()).append("\r\n");
    b.append("User-Agent: SecureYeoman-Media/1\r\n");
    b.append("Accept: */*\r\nAccept-Encoding: identity\r\nConnection: close\r\n");
    extraHeaders.forEach(
        (k, v) -> {
          if (k.indexOf('\r') >= 0 || k.indexOf('\n') >= 0 || v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header " + k + " contains CR or LF");
          }
          b.append(k).append(": ").append(v).append("\r\n");
        });
    b.append("\r\n");
    return b.toString();
  }

  private static long parseContentLength(String value) throws ProtocolException {
    if (value.isEmpty() || value.length() > 15) {
      throw new ProtocolException("malformed Content-Length");
    }
    long n = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        throw new ProtocolException("malformed Content-Length");
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static boolean isLiteral(String host) {
    return host.indexOf(':') >= 0 || AddressClassifier.parseInetAton(host) != null;
  }

  private static long remainingMillis(long deadlineNanos) throws SocketTimeoutException {
    long ms = (deadlineNanos - System.nanoTime()) / 1_000_000;
    if (ms <= 0) {
      throw new SocketTimeoutException("download deadline reached");
    }
    return ms;
  }

  private int timeoutFor(long deadlineNanos) throws SocketTimeoutException {
    return (int) Math.max(1, Math.min(readTimeoutMillis, remainingMillis(deadlineNanos)));
  }

  /** Applies the smaller of the read timeout and the remaining overall time before every read. */
  private final class DeadlineInputStream extends InputStream {
    private final Socket socket;
    private final InputStream in;
    private final long deadlineNanos;

    DeadlineInputStream(Socket socket, InputStream in, long deadlineNanos) {
      this.socket = socket;
      this.in = in;
      this.deadlineNanos = deadlineNanos;
    }

    @Override
    public int read() throws IOException {
      socket.setSoTimeout(timeoutFor(deadlineNanos));
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      socket.setSoTimeout(timeoutFor(deadlineNanos));
      return in.read(b, off, len);
    }
  }
}
