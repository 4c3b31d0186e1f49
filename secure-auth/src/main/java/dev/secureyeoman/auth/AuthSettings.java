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
 * with window ±1. Build them with {@link #builder()} (each option once, checked when set); the canonical constructor
 * applies the same checks, so no invalid value can exist.
 *
 * @param accessTokenTtl access token lifetime (1 s to 24 h, at most {@code sessionTtl}; default 15 min)
 * @param sessionTtl session lifetime without remember-me (default 24 h)
 * @param rememberMeTtl session lifetime with remember-me (at least {@code sessionTtl}; default 30 days)
 * @param passwordPolicy policy for new passwords
 * @param hashParameters Argon2id parameters for new hashes
 * @param maxConcurrentHashes concurrent password hashes (1 to 1024; default: number of CPUs)
 * @param loginRateLimitCapacity login attempts per user name and per client before throttling (default 5)
 * @param loginRateLimitRefillPeriod time in which the whole login capacity refills (default 1 min)
 * @param mfaChallengeTtl lifetime of an MFA or password-change challenge (at most 15 min; default 5 min)
 * @param mfaMaxAttempts wrong codes one MFA challenge tolerates (1 to 10; default 5)
 * @param totpIssuer issuer shown by authenticator apps (1–100 chars without ':'; default {@code SecureYeoman})
 * @param totpWindow accepted TOTP steps either side of now (0 to 10; default 1)
 * @param totpParameters TOTP algorithm, digits and period for new enrollments (default SHA1/6/30)
 * @param totpEnrollmentTtl how long a pending TOTP secret waits for its first code (at most 1 h; default 10 min)
 * @param tokenIssuer the {@code iss} claim of access tokens (1–128 chars; default {@code secureyeoman})
 * @param revocationCheckInterval how stale this instance's view of revocations made by other instances sharing the
 *     database may be (0 = read the database on every {@code authenticate}; at most 1 min; default 1 s)
 * @param mfaFailureDelay wait imposed after the first consecutive second-factor failure of a user, doubled after each
 *     further failure (0 disables the delay; at most 1 h; default 1 s)
 * @param mfaMaxFailureDelay the cap of that doubling delay (at least {@code mfaFailureDelay}, at most 24 h; default 5 min)
 * @param mfaLockoutThreshold consecutive second-factor failures after which the user's second factor is locked until an
 *     administrator unlocks it (1 to 1000; default 10)
 * @param auditFailureWindow window in which repeated unauthenticated failures with the same key (event, reason, client)
 *     are counted instead of recorded one by one (0 records every failure; at most 1 h; default 1 min)
 */
public record AuthSettings(
    Duration accessTokenTtl,
    Duration sessionTtl,
    Duration rememberMeTtl,
    PasswordPolicy passwordPolicy,
    PasswordHashParameters hashParameters,
    int maxConcurrentHashes,
    long loginRateLimitCapacity,
    Duration loginRateLimitRefillPeriod,
    Duration mfaChallengeTtl,
    int mfaMaxAttempts,
    String totpIssuer,
    int totpWindow,
    TotpParameters totpParameters,
    Duration totpEnrollmentTtl,
    String tokenIssuer,
    Duration revocationCheckInterval,
    Duration mfaFailureDelay,
    Duration mfaMaxFailureDelay,
    int mfaLockoutThreshold,
    Duration auditFailureWindow) {

  /** Validates every value (the same checks the builder applies when an option is set). */
  public AuthSettings {
    checkAccessTokenTtl(accessTokenTtl);
    positive("sessionTtl", sessionTtl);
    positive("rememberMeTtl", rememberMeTtl);
    Objects.requireNonNull(passwordPolicy, "passwordPolicy");
    Objects.requireNonNull(hashParameters, "hashParameters");
    checkMaxConcurrentHashes(maxConcurrentHashes);
    checkLoginRateLimit(loginRateLimitCapacity, loginRateLimitRefillPeriod);
    atMost("mfaChallengeTtl", positive("mfaChallengeTtl", mfaChallengeTtl), Duration.ofMinutes(15));
    inRange("mfaMaxAttempts", mfaMaxAttempts, 1, 10);
    checkTotpIssuer(totpIssuer);
    inRange("totpWindow", totpWindow, 0, 10);
    Objects.requireNonNull(totpParameters, "totpParameters");
    atMost("totpEnrollmentTtl", positive("totpEnrollmentTtl", totpEnrollmentTtl), Duration.ofHours(1));
    checkTokenIssuer(tokenIssuer);
    atMost("revocationCheckInterval", nonNegative("revocationCheckInterval", revocationCheckInterval),
        Duration.ofMinutes(1));
    checkMfaFailureDelay(mfaFailureDelay, mfaMaxFailureDelay);
    inRange("mfaLockoutThreshold", mfaLockoutThreshold, 1, 1000);
    atMost("auditFailureWindow", nonNegative("auditFailureWindow", auditFailureWindow), Duration.ofHours(1));
    if (rememberMeTtl.compareTo(sessionTtl) < 0) {
      throw new IllegalArgumentException("rememberMeTtl must be >= sessionTtl");
    }
    if (accessTokenTtl.compareTo(sessionTtl) > 0) {
      throw new IllegalArgumentException("accessTokenTtl must be <= sessionTtl");
    }
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
   * Returns a builder initialised from these settings; each option may be set once more.
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
    b.revocationCheckInterval = revocationCheckInterval;
    b.mfaFailureDelay = mfaFailureDelay;
    b.mfaMaxFailureDelay = mfaMaxFailureDelay;
    b.mfaLockoutThreshold = mfaLockoutThreshold;
    b.auditFailureWindow = auditFailureWindow;
    return b;
  }

  // ------------------------------------------------------------------ checks shared by the constructor and the builder

  private static Duration positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
    return d;
  }

  private static Duration nonNegative(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, got " + d);
    }
    return d;
  }

  private static Duration atMost(String name, Duration d, Duration max) {
    if (d.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be at most " + max + ", got " + d);
    }
    return d;
  }

  private static int inRange(String name, int v, int min, int max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + v);
    }
    return v;
  }

  private static void checkAccessTokenTtl(Duration ttl) {
    atMost("accessTokenTtl", positive("accessTokenTtl", ttl), Duration.ofHours(24));
  }

  private static void checkMaxConcurrentHashes(int max) {
    inRange("maxConcurrentHashes", max, 1, 1024);
  }

  private static void checkLoginRateLimit(long capacity, Duration refillPeriod) {
    if (capacity < 1 || capacity > 1_000_000) {
      throw new IllegalArgumentException("loginRateLimit.capacity must be in [1, 1000000], got " + capacity);
    }
    positive("loginRateLimit.refillPeriod", refillPeriod);
  }

  private static void checkTotpIssuer(String issuer) {
    Objects.requireNonNull(issuer, "totpIssuer");
    if (issuer.isBlank() || issuer.length() > 100 || issuer.indexOf(':') >= 0) {
      throw new IllegalArgumentException("totpIssuer must be 1-100 chars without ':'");
    }
  }

  private static void checkTokenIssuer(String issuer) {
    Objects.requireNonNull(issuer, "tokenIssuer");
    if (issuer.isBlank() || issuer.length() > 128) {
      throw new IllegalArgumentException("tokenIssuer must be 1-128 chars");
    }
  }

  private static void checkMfaFailureDelay(Duration delay, Duration max) {
    atMost("mfaFailureDelay", nonNegative("mfaFailureDelay", delay), Duration.ofHours(1));
    atMost("mfaMaxFailureDelay", nonNegative("mfaMaxFailureDelay", max), Duration.ofHours(24));
    if (max.compareTo(delay) < 0) {
      throw new IllegalArgumentException("mfaMaxFailureDelay must be >= mfaFailureDelay, got " + max + " < " + delay);
    }
  }

  /** Validating builder; each option may be set once, and a bad value is refused when it is set. */
  public static final class Builder {
    private final Set<String> set = new HashSet<>();
    private Duration accessTokenTtl = Duration.ofMinutes(15);
    private Duration sessionTtl = Duration.ofHours(24);
    private Duration rememberMeTtl = Duration.ofDays(30);
    private PasswordPolicy passwordPolicy = PasswordPolicy.defaults();
    private PasswordHashParameters hashParameters = PasswordHashParameters.defaults();
    private int maxConcurrentHashes = Math.max(1, Math.min(1024, Runtime.getRuntime().availableProcessors()));
    private long loginRateLimitCapacity = 5;
    private Duration loginRateLimitRefillPeriod = Duration.ofMinutes(1);
    private Duration mfaChallengeTtl = Duration.ofMinutes(5);
    private int mfaMaxAttempts = 5;
    private String totpIssuer = "SecureYeoman";
    private int totpWindow = 1;
    private TotpParameters totpParameters = TotpParameters.defaults();
    private Duration totpEnrollmentTtl = Duration.ofMinutes(10);
    private String tokenIssuer = "secureyeoman";
    private Duration revocationCheckInterval = Duration.ofSeconds(1);
    private Duration mfaFailureDelay = Duration.ofSeconds(1);
    private Duration mfaMaxFailureDelay = Duration.ofMinutes(5);
    private int mfaLockoutThreshold = 10;
    private Duration auditFailureWindow = Duration.ofMinutes(1);

    private Builder() {}

    /** Refuses a second setting of {@code name}, naming the value set first (settings hold no secrets). */
    private void once(String name, Object earlier) {
      if (!set.add(name)) {
        throw new IllegalStateException(name + " was already set (to " + earlier + ")");
      }
    }

    /**
     * Sets the access token lifetime (1 s to 24 h).
     *
     * @param ttl the lifetime
     * @return this builder
     */
    public Builder accessTokenTtl(Duration ttl) {
      once("accessTokenTtl", accessTokenTtl);
      checkAccessTokenTtl(ttl);
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
      once("sessionTtl", sessionTtl);
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
      once("rememberMeTtl", rememberMeTtl);
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
      once("passwordPolicy", describe(passwordPolicy));
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
      once("hashParameters", hashParameters);
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
      once("maxConcurrentHashes", maxConcurrentHashes);
      checkMaxConcurrentHashes(max);
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
      once("loginRateLimit", loginRateLimitCapacity + " per " + loginRateLimitRefillPeriod);
      checkLoginRateLimit(capacity, refillPeriod);
      this.loginRateLimitRefillPeriod = refillPeriod;
      this.loginRateLimitCapacity = capacity;
      return this;
    }

    /**
     * Sets the lifetime of MFA and password-change challenges (at most 15 min).
     *
     * @param ttl the lifetime
     * @return this builder
     */
    public Builder mfaChallengeTtl(Duration ttl) {
      once("mfaChallengeTtl", mfaChallengeTtl);
      this.mfaChallengeTtl = atMost("mfaChallengeTtl", positive("mfaChallengeTtl", ttl), Duration.ofMinutes(15));
      return this;
    }

    /**
     * Sets how many wrong codes one MFA challenge tolerates (1 to 10).
     *
     * @param attempts the limit
     * @return this builder
     */
    public Builder mfaMaxAttempts(int attempts) {
      once("mfaMaxAttempts", mfaMaxAttempts);
      this.mfaMaxAttempts = inRange("mfaMaxAttempts", attempts, 1, 10);
      return this;
    }

    /**
     * Sets the TOTP issuer (1–100 chars, no ':').
     *
     * @param issuer the issuer
     * @return this builder
     */
    public Builder totpIssuer(String issuer) {
      once("totpIssuer", totpIssuer);
      checkTotpIssuer(issuer);
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
      once("totpWindow", totpWindow);
      this.totpWindow = inRange("totpWindow", window, 0, 10);
      return this;
    }

    /**
     * Sets the TOTP parameters for new enrollments.
     *
     * @param parameters algorithm, digits, period
     * @return this builder
     */
    public Builder totpParameters(TotpParameters parameters) {
      once("totpParameters", totpParameters);
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
      once("totpEnrollmentTtl", totpEnrollmentTtl);
      this.totpEnrollmentTtl = atMost("totpEnrollmentTtl", positive("totpEnrollmentTtl", ttl), Duration.ofHours(1));
      return this;
    }

    /**
     * Sets the {@code iss} claim (1–128 chars).
     *
     * @param issuer the issuer
     * @return this builder
     */
    public Builder tokenIssuer(String issuer) {
      once("tokenIssuer", tokenIssuer);
      checkTokenIssuer(issuer);
      this.tokenIssuer = issuer;
      return this;
    }

    /**
     * Sets the revocation bound between instances sharing the database: a logout, reset or key rotation made by another
     * instance is seen here at most this long after it committed. {@link Duration#ZERO} reads the database on every
     * {@code authenticate} (0 to 1 min).
     *
     * @param interval the bound
     * @return this builder
     */
    public Builder revocationCheckInterval(Duration interval) {
      once("revocationCheckInterval", revocationCheckInterval);
      this.revocationCheckInterval =
          atMost("revocationCheckInterval", nonNegative("revocationCheckInterval", interval), Duration.ofMinutes(1));
      return this;
    }

    /**
     * Sets the second-factor brute-force protection (RFC 4226 §7.3): after the k-th consecutive failure of a user the
     * next attempt waits {@code min(max, delay × 2^(k-1))}; at {@code lockoutThreshold} failures the second factor is
     * locked until an administrator unlocks it. A success resets the count.
     *
     * @param delay the first wait (0 to 1 h; 0 disables the waits, not the lockout)
     * @param max the cap of the doubling wait (at least {@code delay}, at most 24 h)
     * @param lockoutThreshold failures that lock (1 to 1000)
     * @return this builder
     */
    public Builder mfaBruteForceProtection(Duration delay, Duration max, int lockoutThreshold) {
      once("mfaBruteForceProtection", mfaFailureDelay + ", " + mfaMaxFailureDelay + ", " + mfaLockoutThreshold);
      checkMfaFailureDelay(delay, max);
      this.mfaLockoutThreshold = inRange("mfaLockoutThreshold", lockoutThreshold, 1, 1000);
      this.mfaFailureDelay = delay;
      this.mfaMaxFailureDelay = max;
      return this;
    }

    /**
     * Sets the aggregation window of unauthenticated failures (junk tokens and challenges, throttled logins, unknown user
     * names): the first one per key and window is recorded, the rest are counted into one {@code auth.audit.summary}
     * event (0 records every failure; at most 1 h).
     *
     * @param window the window
     * @return this builder
     */
    public Builder auditFailureWindow(Duration window) {
      once("auditFailureWindow", auditFailureWindow);
      this.auditFailureWindow = atMost("auditFailureWindow", nonNegative("auditFailureWindow", window), Duration.ofHours(1));
      return this;
    }

    private static String describe(PasswordPolicy p) {
      return "minLength=" + p.minLength() + ", maxLength=" + p.maxLength() + ", " + p.blocklist().size()
          + " blocked passwords";
    }

    /**
     * Builds the settings.
     *
     * @return immutable settings
     * @throws IllegalArgumentException if rememberMeTtl is shorter than sessionTtl or accessTokenTtl exceeds sessionTtl
     */
    public AuthSettings build() {
      return new AuthSettings(
          accessTokenTtl,
          sessionTtl,
          rememberMeTtl,
          passwordPolicy,
          hashParameters,
          maxConcurrentHashes,
          loginRateLimitCapacity,
          loginRateLimitRefillPeriod,
          mfaChallengeTtl,
          mfaMaxAttempts,
          totpIssuer,
          totpWindow,
          totpParameters,
          totpEnrollmentTtl,
          tokenIssuer,
          revocationCheckInterval,
          mfaFailureDelay,
          mfaMaxFailureDelay,
          mfaLockoutThreshold,
          auditFailureWindow);
    }
  }
}
