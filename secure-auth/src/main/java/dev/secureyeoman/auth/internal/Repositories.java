package dev.secureyeoman.auth.internal;

/**
 * The per-concern repositories of one database, created for its {@link SqlDialect}. Today every repository speaks
 * portable SQL; a repository that needs an engine-specific statement takes the dialect in its constructor here.
 */
record Repositories(
    UserRepository users,
    SessionRepository sessions,
    ChallengeRepository challenges,
    RecoveryCodeRepository recoveryCodes,
    RevocationFeedRepository revocationFeed,
    SigningKeyRepository signingKeys) {

  static Repositories of(SqlDialect dialect) {
    java.util.Objects.requireNonNull(dialect, "dialect");
    return new Repositories(
        new UserRepository(),
        new SessionRepository(),
        new ChallengeRepository(),
        new RecoveryCodeRepository(),
        new RevocationFeedRepository(),
        new SigningKeyRepository());
  }
}
