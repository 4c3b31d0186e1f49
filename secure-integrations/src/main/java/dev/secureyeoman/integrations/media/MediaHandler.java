package dev.secureyeoman.integrations.media;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.integrations.media.MediaRejectedException.Reason;
import dev.secureyeoman.integrations.media.internal.ContentSniffer;
import dev.secureyeoman.integrations.media.internal.DestinationGuard;
import dev.secureyeoman.integrations.media.internal.MediaTempStore;
import dev.secureyeoman.integrations.media.internal.MediaTypes;
import dev.secureyeoman.integrations.media.internal.PinnedHttpClient;
import dev.secureyeoman.integrations.media.internal.Redaction;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads media that chat platforms reference, safely: the result is a checked file in a private directory, or a
 * {@link MediaRejectedException} and nothing on disk.
 *
 * <p><b>Security guarantees.</b> For every download:
 *
 * <ul>
 *   <li>a declared size above the cap is refused before any connection; a larger {@code Content-Length} before the body
 *       is read; an undeclared body is streamed with a hard cap and aborted as soon as byte cap + 1 arrives — at most cap
 *       bytes are ever written;
 *   <li>only {@code https} to hosts on the platform's allowlist; each host is resolved <em>once</em> through the
 *       {@link HostResolver}, every answer must be a public address, and the TCP connection goes to one of exactly
 *       those addresses (DNS rebinding cannot move it); TLS verifies the certificate against the host name;
 *   <li>every redirect target passes the same checks; a bearer token is sent only to the first URL's origin;
 *   <li>files are created {@code 0600} under server-generated names in a {@code 0700} directory of this handler; the
 *       platform's file name never reaches a path;
 *   <li>the type sniffed from magic bytes must match the declaration; executables and active content (HTML, SVG, XML,
 *       OLE2 containers, markup or script declarations) are refused unless allowed; image/HTML polyglots are refused;
 *   <li>the total timeout holds in every phase (a watchdog closes the socket when it passes);
 *   <li>the {@link ContentScanner} must answer {@code CLEAN} ({@code ERROR} rejects unless the policy fails open);
 *   <li>failures delete the partial file; {@link MediaHandle#close()} deletes the file; {@link #close()} deletes the run
 *       directory; {@link #sweep()} (also run when a handler opens) deletes leftovers of crashed processes.
 * </ul>
 *
 * <p><b>Non-goals.</b> Content is not parsed or transcoded (a scanner does the deep inspection); decompression bombs
 * inside archives are the consumer's concern; the sniffer recognises common formats only.
 *
 * <p><b>Threading.</b> Thread-safe; downloads run on the caller's thread, at most {@link MediaPolicy#maxConcurrent()}
 * downloads plus open handles at a time (more are refused with {@link Reason#BUSY}).
 */
public final class MediaHandler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MediaHandler.class);
  private static final int BUFFER = 64 * 1024;

  private final MediaPolicy policy;
  private final @Nullable ContentScanner scanner;
  private final DestinationGuard guard;
  private final PinnedHttpClient http;
  private final MediaTempStore store;
  private final Semaphore permits;
  private volatile boolean closed;

  private MediaHandler(Builder b, MediaTempStore store) {
    MediaPolicy policy = Objects.requireNonNull(b.policy, "build() requires a policy");
    this.policy = policy;
    this.scanner = b.scanner;
    this.guard = new DestinationGuard(policy, Objects.requireNonNull(b.resolver, "build() sets a resolver"));
    this.http =
        new PinnedHttpClient(
            Objects.requireNonNull(b.sslContext, "build() sets a TLS context").getSocketFactory(),
            (int) policy.connectTimeout().toMillis(),
            (int) policy.readTimeout().toMillis());
    this.store = store;
    this.permits = new Semaphore(policy.maxConcurrent());
    if (!policy.loopbackTestPorts().isEmpty()) {
      LOG.warn("media handler allows loopback ports {} (test switch): never use this in production",
          policy.loopbackTestPorts());
    }
  }

  /**
   * A new builder.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the policy.
   *
   * @return the policy in force
   */
  public MediaPolicy policy() {
    return policy;
  }

  /**
   * Returns the directory this handler writes to (for monitoring and tests).
   *
   * @return the run directory
   */
  public Path directory() {
    return store.runDirectory();
  }

  /**
   * Downloads, checks and scans one file.
   *
   * @param request what to download
   * @return the handle of the accepted file; close it when done
   * @throws MediaRejectedException if any check failed or the download failed; nothing is left on disk
   * @throws InterruptedException if interrupted while scanning
   * @throws IllegalStateException if the handler was closed
   */
  public MediaHandle download(MediaRequest request) throws MediaRejectedException, InterruptedException {
    Objects.requireNonNull(request, "request");
    if (closed) {
      throw new IllegalStateException("media handler is closed");
    }
    String platform = request.platform();
    if (request.declaredSize().isPresent() && request.declaredSize().getAsLong() > policy.maxBytes()) {
      throw reject(new MediaRejectedException(Reason.TOO_LARGE,
          platform + " declared " + request.declaredSize().getAsLong() + " bytes, cap " + policy.maxBytes()));
    }
    if (!permits.tryAcquire()) {
      throw reject(new MediaRejectedException(Reason.BUSY, "too many concurrent downloads or open handles"));
    }
    boolean handedOut = false;
    try {
      MediaHandle handle = fetch(request);
      handedOut = true;
      return handle;
    } catch (MediaRejectedException e) {
      throw reject(e);
    } finally {
      if (!handedOut) {
        permits.release();
      }
    }
  }

  private MediaRejectedException reject(MediaRejectedException e) {
    LOG.info("media rejected: {}", e.getMessage());
    return e;
  }

  private MediaHandle fetch(MediaRequest request) throws MediaRejectedException, InterruptedException {
    String platform = request.platform();
    long deadline = System.nanoTime() + policy.totalTimeout().toNanos();
    URI current = request.url();
    URI firstOrigin = origin(current);
    boolean sendToken = request.bearerToken().isPresent();
    for (int hop = 0; hop <= policy.maxRedirects(); hop++) {
      DestinationGuard.Destination dest = guard.check(platform, current);
      if (sendToken && !origin(current).equals(firstOrigin)) {
        sendToken = false; // never follow a redirect with the token to another origin
      }
      Map<String, String> headers = new LinkedHashMap<>();
      if (sendToken) {
        headers.put("Authorization", "Bearer " + tokenText(request.bearerToken().get()));
      }
      try (PinnedHttpClient.Exchange ex = connect(dest, headers, deadline, platform)) {
        int status = ex.head().status();
        if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
          current = redirectTarget(current, ex, platform);
          continue;
        }
        if (status != 200) {
          throw new MediaRejectedException(Reason.DOWNLOAD_FAILED,
              platform + " host " + dest.host() + " answered HTTP " + status);
        }
        if (ex.contentLength() > policy.maxBytes()) {
          throw new MediaRejectedException(Reason.TOO_LARGE,
              platform + " Content-Length " + ex.contentLength() + " exceeds cap " + policy.maxBytes());
        }
        return receive(request, ex, dest.host());
      } catch (IOException e) {
        throw new MediaRejectedException(Reason.DOWNLOAD_FAILED,
            platform + " host " + dest.host() + ": " + e.getClass().getSimpleName() + " " + safeMessage(e), e);
      }
    }
    throw new MediaRejectedException(Reason.TOO_MANY_REDIRECTS,
        platform + ": more than " + policy.maxRedirects() + " redirects");
  }

  private PinnedHttpClient.Exchange connect(
      DestinationGuard.Destination dest, Map<String, String> headers, long deadline, String platform)
      throws IOException {
    IOException last = null;
    for (InetAddress address : dest.addresses()) {
      try {
        return http.get(
            new PinnedHttpClient.Target(dest.host(), dest.port(), address, dest.pathAndQuery(), dest.tls()),
            headers,
            deadline);
      } catch (IOException e) {
        last = e;
        LOG.debug("{}: connection to one address of {} failed: {}", platform, dest.host(), e.toString());
      }
    }
    throw last;
  }

  private static URI redirectTarget(URI current, PinnedHttpClient.Exchange ex, String platform)
      throws MediaRejectedException, IOException {
    String location = ex.head().single("location");
    if (location == null || location.isEmpty()) {
      throw new MediaRejectedException(Reason.DOWNLOAD_FAILED, platform + ": redirect without Location");
    }
    try {
      return current.resolve(new URI(location)).normalize();
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      throw new MediaRejectedException(Reason.INVALID_URL, platform + ": malformed redirect Location");
    }
  }

  private MediaHandle receive(MediaRequest request, PinnedHttpClient.Exchange ex, String host)
      throws MediaRejectedException, IOException, InterruptedException {
    String platform = request.platform();
    String declared = MediaTypes.normalize(request.declaredType().orElse(null));
    MediaTempStore.NewFile file = store.create();
    boolean accepted = false;
    try {
      long total;
      String sniffed;
      try (FileChannel out = file.channel()) {
        byte[] buf = new byte[BUFFER];
        byte[] prefix = new byte[ContentSniffer.PREFIX_BYTES];
        int prefixLen = 0;
        sniffed = null;
        total = 0;
        InputStream in = ex.body();
        long max = policy.maxBytes();
        int n;
        while ((n = in.read(buf, 0, buf.length)) >= 0) {
          if (n == 0) {
            continue;
          }
          if (total + n > max) {
            throw new MediaRejectedException(Reason.TOO_LARGE,
                platform + " body exceeds cap " + max + " (aborted at byte " + (max + 1) + ")");
          }
          if (sniffed == null) {
            int take = Math.min(n, prefix.length - prefixLen);
            System.arraycopy(buf, 0, prefix, prefixLen, take);
            prefixLen += take;
            if (prefixLen == prefix.length) {
              sniffed = checkType(platform, declared, prefix, prefixLen);
            }
          }
          ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
          while (bb.hasRemaining()) {
            out.write(bb);
          }
          total += n;
        }
        if (sniffed == null) {
          sniffed = checkType(platform, declared, prefix, prefixLen);
        }
      }
      if (request.declaredSize().isPresent() && request.declaredSize().getAsLong() != total) {
        throw new MediaRejectedException(Reason.SIZE_MISMATCH,
            platform + " declared " + request.declaredSize().getAsLong() + " bytes, received " + total);
      }
      ScanResult scan = scan(file.path(), platform);
      if (closed) {
        throw new MediaRejectedException(Reason.DOWNLOAD_FAILED, platform + ": handler closed during the download");
      }
      MediaHandle handle =
          new MediaHandle(
              file.path(),
              platform,
              total,
              sniffed,
              declared,
              request.fileName().orElse(null),
              scan,
              new Deleter(file.path(), permits));
      accepted = true;
      LOG.debug("media accepted: {} from {} host {}", handle, platform, host);
      return handle;
    } finally {
      if (!accepted) {
        Files.deleteIfExists(file.path());
      }
    }
  }

  private String checkType(String platform, @Nullable String declared, byte[] prefix, int prefixLen)
      throws MediaRejectedException {
    String sniffed = ContentSniffer.sniff(prefix, prefixLen);
    if (!policy.allowExecutables()) {
      if (MediaTypes.EXECUTABLE.contains(sniffed)) {
        throw new MediaRejectedException(Reason.TYPE_NOT_ALLOWED,
            platform + " content is an executable (" + sniffed + ")");
      }
      if (MediaTypes.executableDeclaration(declared)) {
        throw new MediaRejectedException(Reason.TYPE_NOT_ALLOWED,
            platform + " declared an executable (" + printable(declared) + ")");
      }
    }
    if (!policy.allowActiveContent()) {
      if (MediaTypes.ACTIVE.contains(sniffed)) {
        throw new MediaRejectedException(Reason.TYPE_NOT_ALLOWED,
            platform + " content is active (" + sniffed + ": script, macros or an installer)");
      }
      if (MediaTypes.activeDeclaration(declared)) {
        throw new MediaRejectedException(Reason.TYPE_NOT_ALLOWED,
            platform + " declared active content (" + printable(declared) + ")");
      }
    }
    if (!sniffed.startsWith("text/") && !MediaTypes.ACTIVE.contains(sniffed)
        && ContentSniffer.containsActiveMarkup(prefix, prefixLen)) {
      throw new MediaRejectedException(Reason.TYPE_MISMATCH,
          platform + " content is " + sniffed + " and HTML at once (polyglot)");
    }
    if (!policy.allowedTypes().isEmpty() && !policy.allowedTypes().contains(sniffed)) {
      throw new MediaRejectedException(Reason.TYPE_NOT_ALLOWED, platform + " content type " + sniffed + " not allowed");
    }
    if (!MediaTypes.compatible(declared, sniffed)) {
      throw new MediaRejectedException(Reason.TYPE_MISMATCH,
          platform + " declared " + printable(declared) + " but content is " + sniffed);
    }
    return sniffed;
  }

  private @Nullable ScanResult scan(Path file, String platform) throws MediaRejectedException, InterruptedException {
    if (scanner == null) {
      return null;
    }
    ScanResult result;
    try {
      result = scanner.scan(file);
      if (result == null) {
        result = ScanResult.error("scanner returned no result");
      }
    } catch (RuntimeException e) {
      result = ScanResult.error("scanner failed: " + e.getClass().getSimpleName());
    }
    switch (result.verdict()) {
      case INFECTED:
        LOG.warn("media from {} is infected: {}", platform, printable(result.detail()));
        throw new MediaRejectedException(Reason.INFECTED, platform + " content infected: " + printable(result.detail()));
      case ERROR:
        if (!policy.failOpenOnScanError()) {
          throw new MediaRejectedException(Reason.SCAN_FAILED,
              platform + " content could not be scanned: " + printable(result.detail()));
        }
        LOG.warn("media from {} passed unscanned (fail-open policy): {}", platform, printable(result.detail()));
        return result;
      default:
        return result;
    }
  }

  /**
   * Deletes leftovers of processes that died without closing their handler.
   *
   * @return the number of files deleted
   * @throws IOException if the root directory cannot be listed
   */
  public int sweep() throws IOException {
    return store.sweep();
  }

  /** Deletes every file of this handler (open handles included) and its run directory. Idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    store.close();
  }

  private static URI origin(URI u) {
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
    int port = u.getPort() >= 0 ? u.getPort() : scheme.equals("https") ? 443 : 80;
    String host = u.getHost() == null ? String.valueOf(u.getRawAuthority()) : u.getHost();
    return URI.create(scheme + "://" + host.toLowerCase(java.util.Locale.ROOT) + ":" + port);
  }

  private static String tokenText(SecretBytes token) {
    byte[] raw = token.toByteArray();
    try {
      String s = new String(raw, StandardCharsets.US_ASCII);
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c <= 0x20 || c >= 0x7f) {
          throw new IllegalArgumentException("bearer token must be printable ASCII without spaces");
        }
      }
      return s;
    } finally {
      java.util.Arrays.fill(raw, (byte) 0);
    }
  }

  private static String printable(@Nullable String s) {
    return s == null ? "nothing" : Redaction.printable(s, 200);
  }

  private static String safeMessage(IOException e) {
    return e.getMessage() == null ? "" : Redaction.printable(e.getMessage(), 200);
  }

  /** Cleaner action (run once, by close or by the Cleaner): deletes the file and returns the permit. */
  private static final class Deleter implements Runnable {
    private final Path path;
    private final Semaphore permits;

    Deleter(Path path, Semaphore permits) {
      this.path = path;
      this.permits = permits;
    }

    @Override
    public void run() {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        LOG.warn("could not delete media file {}: {}", path.getFileName(), e.toString());
      } finally {
        permits.release();
      }
    }
  }

  /** Builder for {@link MediaHandler}. */
  public static final class Builder {
    private @Nullable MediaPolicy policy;
    private @Nullable ContentScanner scanner;
    private boolean scanningDecided;
    private @Nullable Path root;
    private @Nullable HostResolver resolver;
    private @Nullable SSLContext sslContext;
    private @Nullable SecureRandom random;

    private Builder() {}

    private static void once(@Nullable Object current, String option) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }

    /**
     * Sets the policy (required).
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder policy(MediaPolicy policy) {
      once(this.policy, "policy");
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Sets the content scanner. Either this or {@link #withoutScanning()} is required.
     *
     * @param scanner the scanner, for example {@link ClamdScanner#unixSocket(Path)}
     * @return this builder
     */
    public Builder scanner(ContentScanner scanner) {
      if (scanningDecided) {
        throw new IllegalStateException("scanner was already chosen");
      }
      this.scanner = Objects.requireNonNull(scanner, "scanner");
      scanningDecided = true;
      return this;
    }

    /**
     * Declares explicitly that files are not scanned ({@link MediaHandle#scanResult()} is then empty).
     *
     * @return this builder
     */
    public Builder withoutScanning() {
      if (scanningDecided) {
        throw new IllegalStateException("scanner was already chosen");
      }
      scanningDecided = true;
      return this;
    }

    /**
     * Sets the private root directory (created {@code 0700}; an existing one must be owned by this user and is
     * tightened to {@code 0700}). Default: {@code ${java.io.tmpdir}/secureyeoman-media}.
     *
     * @param root the directory
     * @return this builder
     */
    public Builder directory(Path root) {
      once(this.root, "directory");
      this.root = Objects.requireNonNull(root, "root");
      return this;
    }

    /**
     * Sets the resolver (default {@link HostResolver#SYSTEM}).
     *
     * @param resolver the resolver
     * @return this builder
     */
    public Builder resolver(HostResolver resolver) {
      once(this.resolver, "resolver");
      this.resolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /**
     * Sets the TLS context (default: the JDK's default context and trust store).
     *
     * @param context the context
     * @return this builder
     */
    public Builder sslContext(SSLContext context) {
      once(this.sslContext, "sslContext");
      this.sslContext = Objects.requireNonNull(context, "context");
      return this;
    }

    /**
     * Sets the source of file names (default a new {@link SecureRandom}).
     *
     * @param random the source
     * @return this builder
     */
    public Builder random(SecureRandom random) {
      once(this.random, "random");
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Creates the handler: prepares the directory, sweeps leftovers of dead processes.
     *
     * @return the handler
     * @throws IOException if the directory is unsafe or cannot be created
     * @throws IllegalStateException if the policy or the scanning choice is missing
     */
    public MediaHandler build() throws IOException {
      if (policy == null) {
        throw new IllegalStateException("policy is required");
      }
      if (!scanningDecided) {
        throw new IllegalStateException("choose scanner(...) or withoutScanning()");
      }
      if (resolver == null) {
        resolver = HostResolver.SYSTEM;
      }
      if (sslContext == null) {
        try {
          sslContext = SSLContext.getDefault();
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("no default TLS context", e);
        }
      }
      if (random == null) {
        random = new SecureRandom();
      }
      if (root == null) {
        root = Path.of(System.getProperty("java.io.tmpdir"), "secureyeoman-media");
      }
      return new MediaHandler(this, MediaTempStore.open(root, random));
    }
  }
}
