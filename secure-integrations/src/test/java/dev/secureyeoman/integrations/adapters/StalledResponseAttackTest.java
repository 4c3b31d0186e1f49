package dev.secureyeoman.integrations.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.OutboundMessage;
import dev.secureyeoman.integrations.SendReceipt;
import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.slack.SlackConfig;
import dev.secureyeoman.integrations.slack.SlackIntegrationFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attack: a platform endpoint (or a half-open connection) that sends the response headers and then stops sending the
 * body. {@code HttpRequest.timeout} only covers the wait for the headers, so reading the body blocked forever: the
 * sender thread (router worker, Telegram poller) hung past every configured timeout. Refused now: the whole call,
 * body included, must finish within the request timeout, and a platform that answers completely still works.
 */
class StalledResponseAttackTest {
  private ServerSocket server;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stall = new AtomicBoolean(true);
  private final AtomicBoolean huge = new AtomicBoolean(false);
  private Thread acceptor;
  private Integration<SlackConfig> slack;

  @BeforeEach
  @SuppressWarnings("unchecked")
  void setUp() throws Exception {
    server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::serve, "stalling-platform");
    acceptor.setDaemon(true);
    acceptor.start();
    slack = (Integration<SlackConfig>) new SlackIntegrationFactory(AdapterOptions.builder()
        .sleeper(new RecordingSleeper()).requestTimeout(Duration.ofSeconds(1)).build()).create();
    slack.init(new SlackConfig("xoxb-test", "signing-secret-0123456789", "UBOT",
        "http://127.0.0.1:" + server.getLocalPort() + "/api"), new TestContext("slack"));
    slack.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    slack.stop();
    server.close();
    for (Socket s : open) {
      s.close();
    }
  }

  private void serve() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        open.add(s);
        InputStream in = s.getInputStream();
        readRequest(in);
        OutputStream out = s.getOutputStream();
        String body = "{\"ok\":true,\"ts\":\"1733133600.000200\"}";
        String head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
            + "\r\n\r\n";
        if (huge.get()) { // an endless answer: the caller must stop reading at its 1 MiB cap
          out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + (64L << 20)
              + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          byte[] spaces = new byte[64 * 1024];
          java.util.Arrays.fill(spaces, (byte) ' ');
          try {
            for (int i = 0; i < 1024; i++) {
              out.write(spaces);
            }
          } catch (IOException closedByClient) {
            // expected: the client cancelled
          }
        } else if (stall.get()) {
          out.write((head + body.substring(0, 6)).getBytes(StandardCharsets.US_ASCII)); // headers, then silence
          out.flush();
        } else {
          out.write((head + body).getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void readRequest(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      head.append((char) c);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    int i = head.toString().toLowerCase().indexOf("content-length:");
    if (i >= 0) {
      int n = Integer.parseInt(head.substring(i + 15, head.indexOf("\r\n", i)).strip());
      in.readNBytes(n);
    }
  }

  @Test
  void send_bodyStalledAfterHeaders_failsWithinTheTimeoutInsteadOfHangingForever() {
    OutboundMessage m = OutboundMessage.to(new ThreadKey("slack", "T1:C1", "main"), "hello");
    // the outer limit only keeps a regression from hanging the build; the assertion is the typed failure
    IntegrationException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> assertThrows(IntegrationException.class, () -> slack.send(m)));
    assertTrue(e.getMessage().startsWith("slack chat.postMessage"), e.getMessage());

    stall.set(false); // legitimate path: a complete answer is read as before
    SendReceipt r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> slack.send(m));
    assertEquals("1733133600.000200", r.messageId());
  }

  @Test
  void send_endlessAnswer_isCutAtTheCapAndRefused() {
    huge.set(true);
    OutboundMessage m = OutboundMessage.to(new ThreadKey("slack", "T1:C1", "main"), "hello");
    IntegrationException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> assertThrows(IntegrationException.class, () -> slack.send(m)));
    assertTrue(e.getMessage().contains("answer exceeds"), e.getMessage());
  }
}
