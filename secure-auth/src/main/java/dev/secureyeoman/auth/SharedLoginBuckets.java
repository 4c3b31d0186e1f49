package dev.secureyeoman.auth;

import java.time.Duration;

/**
 * Token buckets shared by every node of a cluster (for example Redis), so that login throttling holds for the cluster
 * and not per node. Set with {@link AuthService.Builder#sharedLoginBuckets}; without it the buckets live in memory.
 *
 * <p><b>Contract.</b> {@link #tryConsume} takes one token atomically across nodes. When the store cannot answer, both
 * methods throw {@link SharedBucketsUnavailableException} and change nothing; the service then <b>fails closed</b>: the
 * login is refused with {@link AuthStorageException} (the host answers 503) and never falls back to in-memory buckets,
 * which would give an attacker one budget per node exactly while the store is down. Keys are short strings such as
 * {@code login:user:alice} and {@code login:client:203.0.113.7}; an implementation should hash them before they reach a
 * shared store. Exception messages must not contain secrets (a store password, a URL with credentials): the service
 * logs them.
 *
 * <p>Implementations are thread-safe. The example gateway adapts {@code dev.secureyeoman.web.RedisBuckets} (see {@code
 * docs/scale-out.md}).
 */
public interface SharedLoginBuckets {

  /**
   * Takes one token from the bucket of {@code key} (capacity {@code capacity}, refilled greedily by {@code capacity}
   * tokens per {@code refillPeriod}).
   *
   * @param key the bucket, e.g. {@code login:user:alice}
   * @param capacity the bucket's size, at least 1
   * @param refillPeriod the time in which an empty bucket refills completely
   * @return {@link Duration#ZERO} if the token was taken, otherwise the (positive) wait until one is available
   * @throws SharedBucketsUnavailableException if the store did not answer (nothing was taken)
   */
  Duration tryConsume(String key, long capacity, Duration refillPeriod);

  /**
   * Gives one token back (a refund after a successful login, or the rollback of an all-or-nothing acquire); the bucket
   * never grows beyond its capacity.
   *
   * @param key the bucket
   * @param capacity the bucket's size, as given to {@link #tryConsume}
   * @param refillPeriod the refill period, as given to {@link #tryConsume}
   * @throws SharedBucketsUnavailableException if the store did not answer (nothing was given back)
   */
  void refund(String key, long capacity, Duration refillPeriod);
}
