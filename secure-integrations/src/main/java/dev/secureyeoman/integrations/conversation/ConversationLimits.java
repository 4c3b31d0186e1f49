package dev.secureyeoman.integrations.conversation;

import dev.secureyeoman.core.config.SecurityConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * The bounds of conversation context: how many turns and approximately how many tokens a thread's window holds, after
 * how long without activity a thread expires, and how many threads may be live at once. Immutable; built by
 * {@link #builder()} (each option settable once) or read from {@code security.integrations.conversation}.
 *
 * <p>Defaults: 20 turns, 4 000 tokens, 60 minutes idle, 100 000 live threads, tokens estimated as
 * {@code ceil(chars / 4) + 4} per turn (the usual rule of thumb for English text with chat-format overhead; inject a
 * real tokenizer through {@link Builder#tokenEstimator(ToIntFunction)} when the model's budget is tight).
 *
 * @param maxTurns most turns per window (1..1000)
 * @param maxTokens most estimated tokens per window (1..10 000 000); the newest turn is always kept, even alone above
 *     the budget
 * @param idleTimeout a thread without activity for this long starts over empty (1 s..365 d)
 * @param maxLiveThreads most threads kept at once (1..100 000 000); beyond, the least recently active are evicted
 * @param tokenEstimator approximate tokens of one turn
 */
public record ConversationLimits(
    int maxTurns, int maxTokens, Duration idleTimeout, int maxLiveThreads, ToIntFunction<Turn> tokenEstimator) {

  /** The default token estimate: {@code ceil(chars / 4) + 4}. */
  public static final ToIntFunction<Turn> CHARS_DIV_4 = t -> (t.text().length() + 3) / 4 + 4;

  /**
   * Validates the limits.
   *
   * @param maxTurns most turns per window
   * @param maxTokens most tokens per window
   * @param idleTimeout idle expiry
   * @param maxLiveThreads most live threads
   * @param tokenEstimator token estimate of a turn
   */
  public ConversationLimits {
    if (maxTurns < 1 || maxTurns > 1000) {
      throw new IllegalArgumentException("maxTurns must be in 1..1000, got " + maxTurns);
    }
    if (maxTokens < 1 || maxTokens > 10_000_000) {
      throw new IllegalArgumentException("maxTokens must be in 1..10000000, got " + maxTokens);
    }
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (idleTimeout.compareTo(Duration.ofSeconds(1)) < 0 || idleTimeout.compareTo(Duration.ofDays(365)) > 0) {
      throw new IllegalArgumentException("idleTimeout must be in PT1S..P365D, got " + idleTimeout);
    }
    if (maxLiveThreads < 1 || maxLiveThreads > 100_000_000) {
      throw new IllegalArgumentException("maxLiveThreads must be in 1..100000000, got " + maxLiveThreads);
    }
    Objects.requireNonNull(tokenEstimator, "tokenEstimator");
  }

  /**
   * The defaults.
   *
   * @return 20 turns, 4 000 tokens, 60 min idle, 100 000 threads
   */
  public static ConversationLimits defaults() {
    return builder().build();
  }

  /**
   * The limits configured under {@code security.integrations.conversation}.
   *
   * @param config the configuration section
   * @return the limits (default token estimator)
   */
  public static ConversationLimits fromConfig(SecurityConfig.Integrations.Conversation config) {
    return builder()
        .maxTurns(config.maxTurns())
        .maxTokens(config.maxTokens())
        .idleTimeout(config.idleTimeout())
        .maxLiveThreads(config.maxLiveThreads())
        .build();
  }

  /**
   * A builder with every default.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Estimates the tokens of one turn (at least 1).
   *
   * @param turn the turn
   * @return the estimate
   */
  public int tokens(Turn turn) {
    return Math.max(1, tokenEstimator.applyAsInt(turn));
  }

  /**
   * Returns how many of the oldest turns must go so that the window fits: at most {@link #maxTurns()} turns and
   * {@link #maxTokens()} tokens, evicting whole turns from the oldest, never the newest.
   *
   * @param tokensOldestFirst the token estimates of the window, oldest first
   * @param count how many entries of the array are valid
   * @return the number of turns to evict from the front
   */
  public int turnsToEvict(int[] tokensOldestFirst, int count) {
    long total = 0;
    for (int i = 0; i < count; i++) {
      total += tokensOldestFirst[i];
    }
    int evict = 0;
    while (count - evict > 1 && (count - evict > maxTurns || total > maxTokens)) {
      total -= tokensOldestFirst[evict];
      evict++;
    }
    return evict;
  }

  /** Builder for {@link ConversationLimits}. */
  public static final class Builder {
    private @Nullable Integer maxTurns;
    private @Nullable Integer maxTokens;
    private @Nullable Duration idleTimeout;
    private @Nullable Integer maxLiveThreads;
    private @Nullable ToIntFunction<Turn> estimator;

    private Builder() {}

    private static void once(@Nullable Object current, String option) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }

    /**
     * Sets the most turns per window.
     *
     * @param n 1..1000
     * @return this builder
     */
    public Builder maxTurns(int n) {
      once(maxTurns, "maxTurns");
      maxTurns = n;
      return this;
    }

    /**
     * Sets the token budget per window.
     *
     * @param n 1..10 000 000
     * @return this builder
     */
    public Builder maxTokens(int n) {
      once(maxTokens, "maxTokens");
      maxTokens = n;
      return this;
    }

    /**
     * Sets the idle expiry.
     *
     * @param d PT1S..P365D
     * @return this builder
     */
    public Builder idleTimeout(Duration d) {
      once(idleTimeout, "idleTimeout");
      idleTimeout = Objects.requireNonNull(d, "idleTimeout");
      return this;
    }

    /**
     * Sets the cap on live threads.
     *
     * @param n 1..100 000 000
     * @return this builder
     */
    public Builder maxLiveThreads(int n) {
      once(maxLiveThreads, "maxLiveThreads");
      maxLiveThreads = n;
      return this;
    }

    /**
     * Sets the token estimator (for example the model's tokenizer).
     *
     * @param estimator tokens of one turn
     * @return this builder
     */
    public Builder tokenEstimator(ToIntFunction<Turn> estimator) {
      once(this.estimator, "tokenEstimator");
      this.estimator = Objects.requireNonNull(estimator, "estimator");
      return this;
    }

    /**
     * Builds the limits.
     *
     * @return the validated limits
     */
    public ConversationLimits build() {
      return new ConversationLimits(
          maxTurns == null ? 20 : maxTurns,
          maxTokens == null ? 4000 : maxTokens,
          idleTimeout == null ? Duration.ofMinutes(60) : idleTimeout,
          maxLiveThreads == null ? 100_000 : maxLiveThreads,
          estimator == null ? CHARS_DIV_4 : estimator);
    }
  }
}
