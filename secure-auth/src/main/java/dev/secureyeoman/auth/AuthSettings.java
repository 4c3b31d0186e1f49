package dev.secureyeoman.auth;

import dev.secureyeoman.auth.totp.TotpParameters;
import dev.secureyeoman.core.config.SecurityConfig;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable settings of the {@link AuthService}. Defaults follow DESIGN §1 ({@code security.auth.*}): access token 15
 * min, session 24 h, remember-me 30 days, password minimum 32, login limit 5 per minute, TOTP issuer {@code SecureYeoman}
 * with window ±1.
 */
public final class AuthSettings {
  private final Duration accessTokenTtl;
  private final Duration sessionTtl;
  private final Duration rememberMeTtl;
  private final PasswordPolicy passwordPolicy;
  private final PasswordHashParameters hashParameters;
  private final int maxConcurrentHashes;
  private final long loginRateLimitCapacity;
  private final Duration loginRateLimitRefillPeriod;
  private final Duration mfaChallengeTtl;
  private final int mfaMaxAttempts;
  private final String totpIssuer;
  private final int totpWindow;
  private final TotpParameters totpParameters;
  private final Duration totpEnrollmentTtl;
  private final String tokenIssuer;

  private AuthSettings(Builder b) {
    this.accessTokenTtl = b.accessTokenTtl;
    this.sessionTtl = b.sessionTtl;
    this.rememberMeTtl = b.rememberMeTtl;
    this.passwordPolicy = b.passwordPolicy;
    this.hashParameters = b.hashParameters;
    this.maxConcurrentHashes = b.maxConcurrentHashes;
    this.loginRateLimitCapacity = b.loginRateLimitCapacity;
    this.loginRateLimitRefillPeriod = b.loginRateLimitRefillPeriod;
    this.mfaChallengeTtl = b.mfaChallengeTtl;
    this.mfaMaxAttempts = b.mfaMaxAttempts;
    this.totpIssuer = b.totpIssuer;
    this.totpWindow = b.totpWindow;
    this.totpParameters = b.totpParameters;
    this.totpEnrollmentTtl = b.totpEnrollmentTtl;
    this.tokenIssuer = b.tokenIssuer;
  }

  /**
   * The defaults.
   *
   * @return settings with every default
   */
  public static AuthSettings defaults() {
    return builder().build();
  }

  /**
   * Builds settings from the validated {@code security.auth} configuration; everything the configuration does not name
   * keeps its default. The maximum password length is the larger of the default (256) and the configured minimum.
   *
   * @param auth the bound and validated configuration
   * @return the settings
   * @throws IllegalArgumentException naming the {@code security.auth.*} property that this module cannot accept
   */
  public static AuthSettings fromConfig(SecurityConfig.Auth auth) {
    Objects.requireNonNull(auth, "auth");
    try {
      return builder()
          .accessTokenTtl(auth.accessTokenTtl())
          .sessionTtl(auth.sessionTtl())
          .rememberMeTtl(auth.rememberMeTtl())
          .passwordPolicy(
              new PasswordPolicy(
                  auth.passwordMinLength(),
                  Math.max(PasswordPolicy.DEFAULT_MAX_LENGTH, auth.passwordMinLength()),
                  Set.of()))
          .loginRateLimit(auth.loginRateLimit().capacity(), auth.loginRateLimit().refillPeriod())
          .totpIssuer(auth.totp().issuer())
          .totpWindow(auth.totp().window())
          .build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("security.auth: " + e.getMessage(), e);
    }
  }

  /**
   * Starts a builder with every default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder initialised from these settings; options may be set once more each.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.accessTokenTtl = accessTokenTtl;
    b.sessionTtl = sessionTtl;
    b.rememberMeTtl = rememberMeTtl;
    b.passwordPolicy = passwordPolicy;
    b.hashParameters = hashParameters;
    b.maxConcurrentHashes = maxConcurrentHashes;
    b.loginRateLimitCapacity = loginRateLimitCapacity;
    b.loginRateLimitRefillPeriod = loginRateLimitRefillPeriod;
    b.mfaChallengeTtl = mfaChallengeTtl;
    b.mfaMaxAttempts = mfaMaxAttempts;
    b.totpIssuer = totpIssuer;
    b.totpWindow = totpWindow;
    b.totpParameters = totpParameters;
    b.totpEnrollmentTtl = totpEnrollmentTtl;
    b.tokenIssuer = tokenIssuer;
    return b;
  }

  /**
   * Access token lifetime (default 15 min), independent of the session lifetime.
   *
   * @return the TTL
   */
  public Duration accessTokenTtl() {
    return accessTokenTtl;
  }

  /**
   * Session lifetime without remember-me (default 24 h).
   *
   * @return the TTL
   */
  public Duration sessionTtl() {
    return sessionTtl;
  }

  /**
   * Session lifetime with remember-me (default 30 days).
   *
   * @return the TTL
   */
  public Duration rememberMeTtl() {
    return rememberMeTtl;
  }

  /**
   * Policy for new passwords.
   *
   * @return the policy
   */
  public PasswordPolicy passwordPolicy() {
    return passwordPolicy;
  }

  /**
   * Argon2id parameters for new hashes.
   *
   * @return the parameters
   */
  public PasswordHashParameters hashParameters() {
    return hashParameters;
  }

  /**
   * Maximum concurrent password hashes.
   *
   * @return the bound
   */
  public int maxConcurrentHashes() {
    return maxConcurrentHashes;
  }

  /**
   * Login attempts allowed per user name and per client before throttling (default 5).
   *
   * @return the bucket capacity
   */
  public long loginRateLimitCapacity() {
    return loginRateLimitCapacity;
  }

  /**
   * Period in which the whole capacity refills (default 1 min).
   *
   * @return the refill period
   */
  public Duration loginRateLimitRefillPeriod() {
    return loginRateLimitRefillPeriod;
  }

  /**
   * Lifetime of an MFA challenge token (default 5 min).
   *
   * @return the TTL
   */
  public Duration mfaChallengeTtl() {
    return mfaChallengeTtl;
  }

  /**
   * Wrong codes accepted per MFA challenge before it dies (default 5).
   *
   * @return the limit
   */
  public int mfaMaxAttempts() {
    return mfaMaxAttempts;
  }

  /**
   * Issuer shown by authenticator apps (default {@code SecureYeoman}).
   *
   * @return the issuer
   */
  public String totpIssuer() {
    return totpIssuer;
  }

  /**
   * Accepted TOTP steps either side of now (default 1).
   *
   * @return the window
   */
  public int totpWindow() {
    return totpWindow;
  }

  /**
   * TOTP algorithm, digits and period for new enrollments (default SHA1/6/30 for app compatibility).
   *
   * @return the parameters
   */
  public TotpParameters totpParameters() {
    return totpParameters;
  }

  /**
   * How long a pending TOTP secret waits for its first code (default 10 min).
   *
   * @return the TTL
   */
  public Duration totpEnrollmentTtl() {
    return totpEnrollmentTtl;
  }

  /**
   * The {@code iss} claim of access tokens (default {@code secureyeoman}).
   *
   * @return the issuer
   */
  public String tokenIssuer() {
    return tokenIssuer;
  }

  /** Validating builder; each option may be set once. */
  public static final class Builder {
    private final Set<String> set = new HashSet<>();
    private Duration accessTokenTtl = Duration.ofMinutes(15);
    private Duration sessionTtl = Duration.ofHours(24);
    private Duration rememberMeTtl = Duration.ofDays(30);
    private PasswordPolicy passwordPolicy = PasswordPolicy.defaults();
    private PasswordHashParameters hashParameters = PasswordHashParameters.defaults();
    private int maxConcurrentHashes = Math.max(1, Runtime.getRuntime().availableProcessors());
    private long loginRateLimitCapacity = 5;
    private Duration loginRateLimitRefillPeriod = Duration.ofMinutes(1);
    private Duration mfaChallengeTtl = Duration.ofMinutes(5);
    private int mfaMaxAttempts = 5;
    private String totpIssuer = "SecureYeoman";
    private int totpWindow = 1;
    private TotpParameters totpParameters = TotpParameters.defaults();
    private Duration totpEnrollmentTtl = Duration.ofMinutes(10);
    private String tokenIssuer = "secureyeoman";

    private Builder() {}

    private void once(String name) {
      if (!set.add(name)) {
        throw new IllegalStateException(name + " was already set");
      }
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }

    /**
     * Sets the access token lifetime (1 s to 24 h).
     *
     * @param ttl the lifetime
     * @return this builder
     */
    public Builder accessTokenTtl(Duration ttl) {
      once("accessTokenTtl");
      positive("accessTokenTtl", ttl);
      if (ttl.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException("accessTokenTtl must be at most PT24H, got " + ttl);
      }
      this.accessTokenTtl = ttl;
      return this;
    }

    /**
     * Sets the session lifetime without remember-me.
     *
     * @param ttl the lifetime
     * @return this builder
     */
    public Builder sessionTtl(Duration ttl) {
      once("sessionTtl");
      this.sessionTtl = positive("sessionTtl", ttl);
      return this;
    }

    /**
     * Sets the session lifetime with remember-me.
     *
     * @param ttl the lifetime
     * @return this builder
     */
    public Builder rememberMeTtl(Duration ttl) {
      once("rememberMeTtl");
      this.rememberMeTtl = positive("rememberMeTtl", ttl);
      return this;
    }

    /**
     * Sets the password policy.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder passwordPolicy(PasswordPolicy policy) {
      once("passwordPolicy");
      this.passwordPolicy = Objects.requireNonNull(policy, "passwordPolicy");
      return this;
    }

    /**
     * Sets the Argon2id parameters for new hashes.
     *
     * @param parameters the parameters
     * @return this builder
     */
    public Builder hashParameters(PasswordHashParameters parameters) {
      once("hashParameters");
      this.hashParameters = Objects.requireNonNull(parameters, "hashParameters");
      return this;
    }

    /**
     * Sets the maximum number of concurrent hashes (1 to 1024).
     *
     * @param max the bound
     * @return this builder
     */
    public Builder maxConcurrentHashes(int max) {
      once("maxConcurrentHashes");
      if (max < 1 || max > 1024) {
        throw new IllegalArgumentException("maxConcurrentHashes must be in [1, 1024], got " + max);
      }
      this.maxConcurrentHashes = max;
      return this;
    }

    /**
     * Sets the login rate limit: {@code capacity} attempts, refilled over {@code refillPeriod}.
     *
     * @param capacity attempts (1 to 1 000 000)
     * @param refillPeriod time to refill the whole capacity
     * @return this builder
     */
    public Builder loginRateLimit(long capacity, Duration refillPeriod) {
      once("loginRateLimit");
      if (capacity < 1 || capacity > 1_000_000) {
        throw new IllegalArgumentException("loginRateLimit.capacity must be in [1, 1000000], got " + capacity);
      }
      this.loginRateLimitRefillPeriod = positive("loginRateLimit.refillPeriod", refillPeriod);
      this.loginRateLimitCapacity = capacity;
      return this;
    }

    /**
     * Sets the MFA challenge lifetime (at most 15 min).
     *
     * @param ttl the lifetime
     * @return this builder
     */
    public Builder mfaChallengeTtl(Duration ttl) {
      once("mfaChallengeTtl");
      positive("mfaChallengeTtl", ttl);
      if (ttl.compareTo(Duration.ofMinutes(15)) > 0) {
        throw new IllegalArgumentException("mfaChallengeTtl must be at most PT15M, got " + ttl);
      }
      this.mfaChallengeTtl = ttl;
      return this;
    }

    /**
     * Sets how many wrong codes one MFA challenge tolerates (1 to 10).
     *
     * @param attempts the limit
     * @return this builder
     */
    public Builder mfaMaxAttempts(int attempts) {
      once("mfaMaxAttempts");
      if (attempts < 1 || attempts > 10) {
        throw new IllegalArgumentException("mfaMaxAttempts must be in [1, 10], got " + attempts);
      }
      this.mfaMaxAttempts = attempts;
      return this;
    }

    /**
     * Sets the TOTP issuer (1–100 chars, no ':').
     *
     * @param issuer the issuer
     * @return this builder
     */
    public Builder totpIssuer(String issuer) {
      once("totpIssuer");
      Objects.requireNonNull(issuer, "totpIssuer");
      if (issuer.isBlank() || issuer.length() > 100 || issuer.indexOf(':') >= 0) {
        throw new IllegalArgumentException("totpIssuer must be 1-100 chars without ':'");
      }
      this.totpIssuer = issuer;
      return this;
    }

    /**
     * Sets the TOTP verification window in steps (0 to 10; more than 1 widens the replay-free guessing surface).
     *
     * @param window steps either side
     * @return this builder
     */
    public Builder totpWindow(int window) {
      once("totpWindow");
      if (window < 0 || window > 10) {
        throw new IllegalArgumentException("totpWindow must be in [0, 10], got " + window);
      }
      this.totpWindow = window;
      return this;
    }

    /**
     * Sets the TOTP parameters for new enrollments.
     *
     * @param parameters algorithm, digits, period
     * @return this builder
     */
    public Builder totpParameters(TotpParameters parameters) {
      once("totpParameters");
      this.totpParameters = Objects.requireNonNull(parameters, "totpParameters");
      return this;
    }

    /**
     * Sets how long a pending TOTP secret stays valid (at most 1 h).
     *
     * @param ttl the lifetime
     * @return this builder
     */
    public Builder totpEnrollmentTtl(Duration ttl) {
      once("totpEnrollmentTtl");
      positive("totpEnrollmentTtl", ttl);
      if (ttl.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("totpEnrollmentTtl must be at most PT1H, got " + ttl);
      }
      this.totpEnrollmentTtl = ttl;
      return this;
    }

    /**
     * Sets the {@code iss} claim (1–128 chars).
     *
     * @param issuer the issuer
     * @return this builder
     */
    public Builder tokenIssuer(String issuer) {
      once("tokenIssuer");
      Objects.requireNonNull(issuer, "tokenIssuer");
      if (issuer.isBlank() || issuer.length() > 128) {
        throw new IllegalArgumentException("tokenIssuer must be 1-128 chars");
      }
      this.tokenIssuer = issuer;
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return immutable settings
     * @throws IllegalArgumentException if rememberMeTtl is shorter than sessionTtl or accessTokenTtl exceeds sessionTtl
     */
    public AuthSettings build() {
      if (rememberMeTtl.compareTo(sessionTtl) < 0) {
        throw new IllegalArgumentException("rememberMeTtl must be >= sessionTtl");
      }
      if (accessTokenTtl.compareTo(sessionTtl) > 0) {
        throw new IllegalArgumentException("accessTokenTtl must be <= sessionTtl");
      }
      return new AuthSettings(this);
    }
  }
}
