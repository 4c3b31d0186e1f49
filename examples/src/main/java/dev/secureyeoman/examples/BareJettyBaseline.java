package dev.secureyeoman.examples;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The load-test baseline: the same Jetty 12 server, thread pool and connector settings as the gateway, with a bare
 * handler that answers every request {@code 200 {"status":"ok"}} — no policies, no routing. The gap between this and
 * the gateway's {@code /healthz} is the cost of the SDK's web policies. Run by {@code examples/load/gateway-wrk.sh}:
 * {@code java -cp examples/target/gateway.jar dev.secureyeoman.examples.BareJettyBaseline PORT}.
 */
public final class BareJettyBaseline {
  private BareJettyBaseline() {}

  /**
   * Starts the bare server on loopback until the process is killed.
   *
   * @param args {@code [PORT]} (default 8081)
   * @throws Exception if the server cannot start
   */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8081;
    QueuedThreadPool pool = new QueuedThreadPool(64, 4);
    Server server = new Server(pool);
    HttpConfiguration hc = new HttpConfiguration();
    hc.setSendServerVersion(false);
    ServerConnector c = new ServerConnector(server, 1, 1, new HttpConnectionFactory(hc));
    c.setHost("127.0.0.1");
    c.setPort(port);
    server.addConnector(c);
    byte[] body = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
    server.setHandler(
        new Handler.Abstract(org.eclipse.jetty.util.thread.Invocable.InvocationType.BLOCKING) {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
          }
        });
    server.start();
    System.out.println("bare Jetty baseline on http://127.0.0.1:" + c.getLocalPort() + "/");
    server.join();
  }
}
