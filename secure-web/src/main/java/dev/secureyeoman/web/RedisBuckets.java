package dev.secureyeoman.web;

import dev.secureyeoman.web.internal.LettuceBucketStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Token buckets shared by every process that connects to the same Redis ({@code security.cache.redis_url}): Bucket4j's
 * compare-and-swap backend over Lettuce, so N nodes enforce one budget per key, not N. This is the primitive under
 * {@link RedisRateLimiter} (HTTP) and, once wired, under login throttling (see {@code docs/scale-out.md}).
 *
 * <pre>{@code
 * try (RedisBuckets buckets = RedisBuckets.builder().redisUrl(url).build()) {
 *   BucketLimit fivePerMinute = new BucketLimit(5, Duration.ofMinutes(1));
 *   BucketProbe p = buckets.tryConsume("login:user:alice", fivePerMinute);   // may throw: fail closed
 *   if (!p.consumed()) { refuse, retry after p.refillWait() }
 * }
 * }</pre>
 *
 * <p><b>Security guarantees.</b> Each {@code tryConsume} is atomic across processes (a compare-and-swap Lua script on one Redis
 * key; concurrent callers on any node never take more than the bucket holds). This class never falls back to a local
 * bucket: when Redis does not answer within the timeout, {@link SharedLimitUnavailableException} is thrown (fail
 * closed); {@link RedisRateLimiter} decides what the HTTP limit does then. Keys are stored hashed (SHA-256 of the
 * namespace, the limit and the key), so user names and addresses are not readable in Redis. Buckets expire in Redis a
 * little after they are full again, so Redis memory follows the active keys. The URL's password never appears in a log
 * line, an exception message or {@link #toString()}; one WARN line is logged when Redis becomes unreachable and one
 * INFO line when it answers again (recovery needs no restart: the client reconnects by itself).
 *
 * <p><b>Time.</b> Refill uses the injected {@link Clock} (wall clock, milliseconds): nodes must agree on the time (NTP).
 * A node whose clock is ahead refills slightly early; a clock behind never refills a bucket backwards.
 *
 * <p><b>Non-goals.</b> Redis Cluster/Sentinel URLs, and a bound on the number of keys (Redis's {@code maxmemory} is the
 * operator's bound; see {@code docs/scale-out.md}). Needs {@code io.lettuce:lettuce-core} and {@code
 * com.bucket4j:bucket4j_jdk17-lettuce} on the class path (optional dependencies of this module).
 *
 * <p>Thread-safe; one instance per process is enough (one multiplexed connection).
 */
public final class RedisBuckets implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisBuckets.class);
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  private final LettuceBucketStore store;
  private final String namespace;
  private final String address;
  private final AtomicBoolean reachable = new AtomicBoolean(true);

  private RedisBuckets(Builder b) {
    this.namespace = b.namespace;
    this.store = new LettuceBucketStore(java.util.Objects.requireNonNull(b.redisUrl, "redisUrl (checked by build())"), b.timeout, b.reconnectDelay, b.clock, b.namespace);
    this.address = store.redactedAddress();
  }

  /**
   * Starts a builder (defaults: namespace {@code secureyeoman}, system UTC clock, 250 ms timeout, reconnect backoff up
   * to 1 s).
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Takes one token from the shared bucket of {@code key}.
   *
   * @param key what is limited, e.g. {@code http:ip:203.0.113.7} or {@code login:user:alice}; 1–512 chars
   * @param limit the bucket's size and refill
   * @return whether the token was taken, with the waits
   * @throws SharedLimitUnavailableException when Redis does not answer (nothing was taken)
   */
  public BucketProbe tryConsume(String key, BucketLimit limit) {
    return tryConsume(key, limit, 1);
  }

  /**
   * Takes {@code tokens} tokens from the shared bucket of {@code key}, all or none.
   *
   * @param key what is limited; 1–512 chars
   * @param limit the bucket's size and refill
   * @param tokens 1 to the capacity
   * @return whether the tokens were taken, with the waits
   * @throws SharedLimitUnavailableException when Redis does not answer (nothing was taken)
   */
  public BucketProbe tryConsume(String key, BucketLimit limit, long tokens) {
    byte[] id = redisKey(key, limit);
    if (tokens < 1 || tokens > limit.capacity()) {
      throw new IllegalArgumentException("tokens must be in [1, " + limit.capacity() + "], got " + tokens);
    }
    try {
      BucketProbe probe = store.tryConsume(id, limit, tokens);
      markReachable();
      return probe;
    } catch (RuntimeException e) {
      throw unavailable(e);
    }
  }

  /**
   * Gives tokens back (a refund after a successful login, or the rollback of an all-or-nothing acquire over several
   * keys); the bucket never grows beyond its capacity.
   *
   * @param key what is limited; 1–512 chars
   * @param limit the bucket's size and refill, as given to {@link #tryConsume}
   * @param tokens 1 to the capacity
   * @throws SharedLimitUnavailableException when Redis does not answer (nothing was given back)
   */
  public void addTokens(String key, BucketLimit limit, long tokens) {
    byte[] id = redisKey(key, limit);
    if (tokens < 1 || tokens > limit.capacity()) {
      throw new IllegalArgumentException("tokens must be in [1, " + limit.capacity() + "], got " + tokens);
    }
    try {
      store.addTokens(id, limit, tokens);
      markReachable();
    } catch (RuntimeException e) {
      throw unavailable(e);
    }
  }

  /**
   * Whether the last call reached Redis (true before the first call).
   *
   * @return false after a failed call until a call succeeds again
   */
  public boolean isReachable() {
    return reachable.get();
  }

  /**
   * The Redis address without credentials, for logs and health pages.
   *
   * @return e.g. {@code redis://127.0.0.1:6379/0}
   */
  public String address() {
    return address;
  }

  /** Closes the connection (waits for nothing in flight beyond the timeout). */
  @Override
  public void close() {
    store.close();
  }

  @Override
  public String toString() {
    return "RedisBuckets[" + address + ", namespace " + namespace + "]";
  }

  private byte[] redisKey(String key, BucketLimit limit) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(limit, "limit");
    if (key.isEmpty() || key.length() > 512) {
      throw new IllegalArgumentException("key must be 1-512 chars, got " + key.length());
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((limit.capacity() + "/" + limit.refillPeriod().toNanos() + "/").getBytes(StandardCharsets.UTF_8));
      byte[] digest = sha.digest(key.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder(namespace.length() + 12 + 64).append(namespace).append(":bucket:");
      for (byte d : digest) {
        sb.append(Character.forDigit((d >> 4) & 0xf, 16)).append(Character.forDigit(d & 0xf, 16));
      }
      return sb.toString().getBytes(StandardCharsets.US_ASCII);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private void markReachable() {
    if (!reachable.get() && reachable.compareAndSet(false, true)) {
      LOG.info("shared limits: Redis at {} answers again; shared buckets are back in force", address);
    }
  }

  private SharedLimitUnavailableException unavailable(RuntimeException e) {
    // a driver message may quote the URL, which may hold the password: describe() redacts both
    String cause = store.describe(e);
    if (reachable.compareAndSet(true, false)) {
      LOG.warn(
          "shared limits: Redis at {} unreachable ({}); shared buckets fail until it answers again", address, cause);
    }
    return new SharedLimitUnavailableException("shared bucket store at " + address + " unavailable (" + cause + ")");
  }

  /** Builder for {@link RedisBuckets}; each option may be set once. */
  public static final class Builder {
    private @Nullable String redisUrl;
    private String namespace = "secureyeoman";
    private Clock clock = Clock.systemUTC();
    private Duration timeout = Duration.ofMillis(250);
    private Duration reconnectDelay = Duration.ofSeconds(1);
    private final Set<String> set = new HashSet<>();

    private Builder() {}

    private void once(String option) {
      if (!set.add(option)) {
        throw new IllegalStateException(option + " was already set");
      }
    }

    /**
     * Sets the Redis URL ({@code security.cache.redis_url}): {@code redis://[:password@]host:port[/db]} or {@code
     * rediss://…} for TLS. It is a secret (it may carry the password): never echoed in messages.
     *
     * @param redisUrl the URL
     * @return this builder
     */
    public Builder redisUrl(String redisUrl) {
      once("redisUrl");
      Objects.requireNonNull(redisUrl, "redisUrl");
      if (!(redisUrl.startsWith("redis://") || redisUrl.startsWith("rediss://")) || redisUrl.length() > 1024) {
        throw new IllegalArgumentException("redisUrl must be a redis:// or rediss:// URL of at most 1024 chars");
      }
      this.redisUrl = redisUrl;
      return this;
    }

    /**
     * Sets the prefix of every Redis key, so several applications can share one Redis.
     *
     * @param namespace 1–64 chars of {@code [a-z0-9._-]}, starting with a letter or digit
     * @return this builder
     */
    public Builder namespace(String namespace) {
      once("namespace");
      Objects.requireNonNull(namespace, "namespace");
      if (!NAMESPACE.matcher(namespace).matches()) {
        throw new IllegalArgumentException("namespace must match " + NAMESPACE.pattern());
      }
      this.namespace = namespace;
      return this;
    }

    /**
     * Sets the clock that refills buckets (default {@link Clock#systemUTC()}; tests inject a settable one).
     *
     * @param clock the wall clock, shared in meaning by every node
     * @return this builder
     */
    public Builder clock(Clock clock) {
      once("clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how long one bucket operation may wait for Redis before it counts as unavailable (connecting
     * may take up to 2 s, once per connection).
     *
     * @param timeout 1 ms to 10 s (default 250 ms)
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      once("timeout");
      this.timeout = bounded(timeout, "timeout");
      return this;
    }

    /**
     * Sets the longest wait between reconnection attempts while Redis is down (exponential backoff from 10 ms).
     *
     * @param reconnectDelay 1 ms to 10 s (default 1 s)
     * @return this builder
     */
    public Builder reconnectDelay(Duration reconnectDelay) {
      once("reconnectDelay");
      this.reconnectDelay = bounded(reconnectDelay, "reconnectDelay");
      return this;
    }

    private static Duration bounded(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.toMillis() < 1 || d.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new IllegalArgumentException(name + " must be between 1 ms and 10 s, got " + d);
      }
      return d;
    }

    /**
     * Builds the buckets. Does not connect yet: the first operation does, so a node starts while Redis is down.
     *
     * @return the shared buckets
     * @throws IllegalStateException if no URL was set, or Lettuce or Bucket4j's Lettuce module is missing
     * @throws IllegalArgumentException if the URL cannot be parsed (the message does not quote it)
     */
    public RedisBuckets build() {
      if (redisUrl == null) {
        throw new IllegalStateException("redisUrl is required");
      }
      for (String c : new String[] {"io.lettuce.core.RedisClient", "io.github.bucket4j.redis.lettuce.Bucket4jLettuce"}) {
        try {
          Class.forName(c, false, RedisBuckets.class.getClassLoader());
        } catch (ClassNotFoundException e) {
          throw new IllegalStateException(
              "security.cache.redis_url needs io.lettuce:lettuce-core and com.bucket4j:bucket4j_jdk17-lettuce on the"
                  + " class path (optional dependencies of secure-web); missing "
                  + c);
        }
      }
      return new RedisBuckets(this);
    }
  }
}
