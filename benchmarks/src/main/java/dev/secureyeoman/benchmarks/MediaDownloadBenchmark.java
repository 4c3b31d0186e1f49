package dev.secureyeoman.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.secureyeoman.integrations.media.HostResolver;
import dev.secureyeoman.integrations.media.MediaHandle;
import dev.secureyeoman.integrations.media.MediaHandler;
import dev.secureyeoman.integrations.media.MediaPolicy;
import dev.secureyeoman.integrations.media.MediaRequest;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Question: what does {@link MediaHandler#download} (address checks, pinned socket, streaming cap, type sniffing,
 * private 0600 file, delete on close; no scanner; SHA-256 only on request) cost against a bare {@link HttpClient} that
 * downloads the same file from the same loopback server into a temporary file and deletes it? Goal: ≥ 0.8× the bare
 * throughput.
 *
 * <p>Both sides use plain HTTP on 127.0.0.1 (the handler through its loopback test switch), so TLS is not measured.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar MediaDownloadBenchmark -f 1 -wi 3 -i 5 -w 2 -r 2}; the
 * interleaved {@link MediaDownloadHarness} gives steadier medians on a loaded machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MediaDownloadBenchmark {
  /** File size in bytes. */
  @Param({"1048576", "8388608"})
  public int size;

  private HttpServer server;
  private MediaHandler handler;
  private HttpClient client;
  private URI uri;
  private Path dir;

  /** Starts the loopback server and both clients. */
  @Setup(Level.Trial)
  public void setup() throws Exception {
    byte[] body = new byte[size];
    new Random(1).nextBytes(body);
    byte[] sig = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    System.arraycopy(sig, 0, body, 0, sig.length);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.createContext(
        "/file.png",
        ex -> {
          ex.getResponseHeaders().add("Content-Type", "image/png");
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    int port = server.getAddress().getPort();
    uri = URI.create("http://cdn.discordapp.com:" + port + "/file.png");
    dir = Files.createTempDirectory("media-bench");
    handler =
        MediaHandler.builder()
            .policy(
                MediaPolicy.builder()
                    .maxBytes(16L * 1024 * 1024)
                    .allowHosts("discord", "cdn.discordapp.com")
                    .allowLoopbackForTesting(port)
                    .build())
            .resolver((HostResolver) host -> List.of(InetAddress.getLoopbackAddress()))
            .directory(dir.resolve("media"))
            .withoutScanning()
            .build();
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  /** Stops the server. */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    handler.close();
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }

  /**
   * The SDK path.
   *
   * @return the received size
   * @throws Exception on failure
   */
  @Benchmark
  public long mediaHandler() throws Exception {
    try (MediaHandle h =
        handler.download(MediaRequest.builder("discord", uri).declaredSize(size).declaredType("image/png").build())) {
      return h.size();
    }
  }

  /**
   * Baseline: bare HttpClient into a temporary file, then delete.
   *
   * @return the received size
   * @throws Exception on failure
   */
  @Benchmark
  public long bareHttpClient() throws Exception {
    Path f = Files.createTempFile(dir, "bare", ".bin");
    try {
      HttpResponse<Path> r =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/file.png"))
                  .build(),
              HttpResponse.BodyHandlers.ofFile(f));
      return Files.size(r.body());
    } finally {
      Files.deleteIfExists(f);
    }
  }
}
