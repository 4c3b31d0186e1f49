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
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The Lettuce half of {@link dev.secureyeoman.web.RedisBuckets}, kept apart so that the public class loads without
 * Lettuce on the class path. One client, one multiplexed connection (opened on first use, re-opened by Lettuce's
 * auto-reconnect), commands rejected at once while disconnected, every command bounded by the timeout.
 */
public final class LettuceBucketStore implements AutoCloseable {
  private static final Duration KEEP_AFTER_FULL = Duration.ofSeconds(10);
  // connecting (TCP, HELLO/AUTH) happens once per connection, and a cold JVM's first one (Netty start-up) can take far
  // longer than a bucket operation; while Redis is down, at most one request per reconnect delay waits for it
  private static final Duration MIN_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  private final RedisURI uri;
  private final ClientResources resources;
  private final RedisClient client;
  private final TimeMeter meter;
  private final Duration timeout;
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
   */
  public LettuceBucketStore(String redisUrl, Duration timeout, Duration reconnectDelay, Clock clock) {
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
    Duration connectTimeout = timeout.compareTo(MIN_CONNECT_TIMEOUT) > 0 ? timeout : MIN_CONNECT_TIMEOUT;
    parsed.setTimeout(connectTimeout);
    this.uri = parsed;
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
        connection = c;
        proxies =
            Bucket4jLettuce.casBasedBuilder(c)
                .clientClock(meter)
                .requestTimeout(timeout)
                .expirationAfterWrite(
                    ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_AFTER_FULL))
                .build();
        nextConnectNanos = 0;
        return proxies;
      } catch (RuntimeException e) {
        nextConnectNanos = now + retryConnect.toNanos();
        throw e;
      }
    }
  }
}
