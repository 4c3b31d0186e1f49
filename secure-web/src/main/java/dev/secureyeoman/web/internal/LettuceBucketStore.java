package dev.secureyeoman.web.internal;

import dev.secureyeoman.web.BucketLimit;
import dev.secureyeoman.web.BucketProbe;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lettuce half of {@link dev.secureyeoman.web.RedisBuckets}, kept apart so that the public class loads without
 * Lettuce on the class path. One client, one multiplexed connection (opened on first use, re-opened by Lettuce's
 * auto-reconnect), commands rejected at once while disconnected, every command bounded by the timeout.
 */
public final class LettuceBucketStore implements AutoCloseable {
  private static final Duration KEEP_AFTER_FULL = Duration.ofSeconds(10);
  private static final BucketLimit WARMUP = new BucketLimit(1, Duration.ofMillis(1));
  private static final Pattern URL = Pattern.compile("rediss?(-socket|-sentinel)?://\\S*");
  // connecting (TCP, HELLO/AUTH) happens once per connection, and a cold JVM's first one (Netty start-up) can take far
  // longer than a bucket operation; while Redis is down, at most one request per reconnect delay waits for it
  private static final Duration MIN_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  private final RedisURI uri;
  // the password as written in the URL and URL-decoded, to redact from driver messages (Lettuce 7 keeps it behind a
  // credentials provider)
  private final List<String> secrets;
  private final ClientResources resources;
  private final RedisClient client;
  private final TimeMeter meter;
  private final Duration timeout;
  private final Duration connectTimeout;
  private final byte[] warmupKey;
  private final Duration retryConnect;
  private final LongSupplier nanoTime = System::nanoTime;
  private final Object lock = new Object();
  private volatile StatefulRedisConnection<byte[], byte[]> connection;
  private volatile ProxyManager<byte[]> proxies;
  private long nextConnectNanos;
  private boolean closed;

  /**
   * Creates the client; does not connect.
   *
   * @param redisUrl the URL (a secret)
   * @param timeout per command timeout (connecting may take up to 2 s)
   * @param reconnectDelay longest backoff between reconnects, also the wait between failed first connects
   * @param clock the refill clock
   * @param namespace prefix of the key the first operation of each connection touches ({@code <namespace>:warmup})
   */
  public LettuceBucketStore(
      String redisUrl, Duration timeout, Duration reconnectDelay, Clock clock, String namespace) {
    this.warmupKey = (namespace + ":warmup").getBytes(StandardCharsets.US_ASCII);
    RedisURI parsed;
    try {
      parsed = RedisURI.create(redisUrl);
    } catch (RuntimeException e) {
      // the driver's message quotes the URL, which may hold the password: neither message nor cause is kept
      throw new IllegalArgumentException("redisUrl is not a valid Redis URL");
    }
    if (parsed.getHost() == null || parsed.getHost().isEmpty()) {
      throw new IllegalArgumentException("redisUrl has no host");
    }
    this.connectTimeout = timeout.compareTo(MIN_CONNECT_TIMEOUT) > 0 ? timeout : MIN_CONNECT_TIMEOUT;
    parsed.setTimeout(connectTimeout);
    this.uri = parsed;
    this.secrets = passwordForms(redisUrl);
    this.timeout = timeout;
    this.retryConnect = reconnectDelay;
    this.meter =
        new TimeMeter() {
          @Override
          public long currentTimeNanos() {
            return TimeUnit.MILLISECONDS.toNanos(clock.millis());
          }

          @Override
          public boolean isWallClockBased() {
            return true;
          }
        };
    this.resources =
        ClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            .reconnectDelay(Delay.exponential(Duration.ofMillis(10), reconnectDelay, 2, TimeUnit.MILLISECONDS))
            .build();
    this.client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .build());
  }

  /**
   * The address without credentials.
   *
   * @return {@code redis://host:port/db} or {@code rediss://…}
   */
  public String redactedAddress() {
    return (uri.isSsl() ? "rediss" : "redis") + "://" + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
  }

  /**
   * A one-line description of a failure for logs and exception messages: the type and message of the failure and of its
   * root cause, with the URL's password replaced by {@code ██} and any {@code redis://…} text by the redacted address
   * (a driver message could quote either), at most 300 chars.
   *
   * @param failure what a bucket operation threw
   * @return e.g. {@code RedisConnectionException: Unable to connect to 127.0.0.1/<unresolved>:6379; cause:
   *     RedisCommandExecutionException: WRONGPASS invalid username-password pair or user is disabled.}
   */
  public String describe(Throwable failure) {
    Throwable root = failure;
    for (int i = 0; i < 20 && root.getCause() != null && root.getCause() != root; i++) {
      root = root.getCause();
    }
    String text = oneLine(failure);
    if (root != failure) {
      text += "; cause: " + oneLine(root);
    }
    for (String secret : secrets) {
      text = text.replace(secret, "\u2588\u2588");
    }
    text = URL.matcher(text).replaceAll(Matcher.quoteReplacement(redactedAddress()));
    return text.length() <= 300 ? text : text.substring(0, 297) + "...";
  }

  private static List<String> passwordForms(String url) {
    int scheme = url.indexOf("://");
    int at = url.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return List.of();
    }
    String userInfo = url.substring(scheme + 3, at);
    String password = userInfo.substring(userInfo.indexOf(':') + 1);
    if (password.isEmpty()) {
      return List.of();
    }
    String decoded;
    try {
      decoded = URLDecoder.decode(password, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      decoded = password;
    }
    // longest first, so a decoded form that contains the raw one (or the reverse) is replaced whole
    return decoded.equals(password)
        ? List.of(password)
        : decoded.length() >= password.length() ? List.of(decoded, password) : List.of(password, decoded);
  }

  private static String oneLine(Throwable t) {
    String m = t.getMessage();
    String s = t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    return s.replace('\r', ' ').replace('\n', ' ');
  }

  /**
   * Takes tokens.
   *
   * @param key the Redis key
   * @param limit the bucket size
   * @param tokens how many
   * @return the probe
   */
  public BucketProbe tryConsume(byte[] key, BucketLimit limit, long tokens) {
    ConsumptionProbe p = proxies().builder().build(key, () -> configuration(limit)).tryConsumeAndReturnRemaining(tokens);
    return new BucketProbe(
        p.isConsumed(),
        p.getRemainingTokens(),
        p.isConsumed() ? Duration.ZERO : Duration.ofNanos(p.getNanosToWaitForRefill()),
        Duration.ofNanos(Math.max(0, p.getNanosToWaitForReset())));
  }

  /**
   * Adds tokens (never beyond capacity).
   *
   * @param key the Redis key
   * @param limit the bucket size
   * @param tokens how many
   */
  public void addTokens(byte[] key, BucketLimit limit, long tokens) {
    proxies().builder().build(key, () -> configuration(limit)).addTokens(tokens);
  }

  @Override
  public void close() {
    StatefulRedisConnection<byte[], byte[]> c;
    synchronized (lock) {
      closed = true;
      c = connection;
      connection = null;
      proxies = null;
    }
    try {
      if (c != null) {
        c.close();
      }
    } finally {
      client.shutdown(Duration.ZERO, timeout);
      resources.shutdown(0, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static BucketConfiguration configuration(BucketLimit limit) {
    return BucketConfiguration.builder()
        .addLimit(l -> l.capacity(limit.capacity()).refillGreedy(limit.capacity(), limit.refillPeriod()))
        .build();
  }

  private ProxyManager<byte[]> proxyManager(StatefulRedisConnection<byte[], byte[]> c, Duration requestTimeout) {
    return Bucket4jLettuce.casBasedBuilder(c)
        .clientClock(meter)
        .requestTimeout(requestTimeout)
        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_AFTER_FULL))
        .build();
  }

  private ProxyManager<byte[]> proxies() {
    ProxyManager<byte[]> p = proxies;
    if (p != null) {
      return p;
    }
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("closed");
      }
      if (proxies != null) {
        return proxies;
      }
      long now = nanoTime.getAsLong();
      if (nextConnectNanos != 0 && now - nextConnectNanos < 0) {
        // a failed first connect is not retried by every request: at most once per reconnect delay
        throw new IllegalStateException("not connected yet");
      }
      try {
        StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
        ProxyManager<byte[]> ready;
        try {
          // one operation under the connect timeout first: a cold JVM's first compare-and-swap (class loading, the
          // script's first EVAL) can take longer than the per-operation timeout, and must not count as an outage
          proxyManager(c, connectTimeout)
              .builder()
              .build(warmupKey, () -> configuration(WARMUP))
              .tryConsumeAndReturnRemaining(1);
          ready = proxyManager(c, timeout);
        } catch (RuntimeException e) {
          c.close();
          throw e;
        }
        connection = c;
        proxies = ready;
        nextConnectNanos = 0;
        return ready;
      } catch (RuntimeException e) {
        nextConnectNanos = now + retryConnect.toNanos();
        throw e;
      }
    }
  }
}
