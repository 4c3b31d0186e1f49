package dev.secureyeoman.auth.spring;

import dev.secureyeoman.auth.PasswordHasher;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.crypto.password.Pbkdf2PasswordEncoder;
import org.springframework.security.crypto.scrypt.SCryptPasswordEncoder;

/**
 * A Spring Security {@link PasswordEncoder} over secure-auth's {@link PasswordHasher}: it writes the same Argon2id PHC
 * strings ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}) that {@code AuthService} stores, and verifies them.
 *
 * <p><b>Security guarantees</b> (all from the hasher, none re-implemented here): comparisons are constant-time; cost
 * parameters read from a stored hash are bounded before any memory is allocated (an out-of-bounds or malformed hash
 * simply does not match); at most the hasher's {@code maxConcurrent} hashes run at once, {@link #encode} and {@link
 * #matches} wait for a slot. The raw password is copied into a {@code char[]} that is wiped after hashing (the caller's
 * {@link CharSequence} is not touched).
 *
 * <p><b>Spring's own Argon2 hashes.</b> {@code Argon2PasswordEncoder} always writes Argon2id PHC strings, so this encoder
 * verifies them (with the bounds above) and {@link #upgradeEncoding} reports {@code true} when their parameters are
 * weaker than the hasher's (Spring's 5.8 defaults, m = 16 MiB, are). Argon2i and Argon2d strings are refused (never
 * match). {@link #delegating} therefore maps Spring's {@code argon2} ids to this encoder as well.
 *
 * <p><b>Contract details</b> follow Spring Security 7's {@code AbstractValidatingPasswordEncoder}: {@code encode(null)}
 * returns {@code null}; {@code matches} is {@code false} for a {@code null} or empty password or hash; {@code
 * upgradeEncoding} is {@code false} for a {@code null} or empty hash. A thread interrupted while waiting for a hashing
 * slot gets an {@link IllegalStateException} with its interrupt flag set again (never a false "no match").
 *
 * <p>Thread-safe; share one instance.
 */
public final class SecureYeomanPasswordEncoder implements PasswordEncoder {

  /** The id under which {@link #delegating} stores hashes of this encoder: {@code {argon2id}$argon2id$v=19$...}. */
  public static final String ID = "argon2id";

  private final PasswordHasher hasher;

  /**
   * Creates the encoder.
   *
   * @param hasher e.g. {@code PasswordHasher.argon2id(PasswordHashParameters.defaults(), 4, new SecureRandom())}
   */
  public SecureYeomanPasswordEncoder(PasswordHasher hasher) {
    this.hasher = Objects.requireNonNull(hasher, "hasher");
  }

  /**
   * A {@link DelegatingPasswordEncoder} that encodes with this encoder under {@code {argon2id}} and still verifies the
   * modern hashes of Spring's {@code PasswordEncoderFactories}, so existing users log in and are re-encoded at their next
   * login (through a {@code UserDetailsPasswordService}):
   *
   * <ul>
   *   <li>{@code {argon2id}}, {@code {argon2}}, {@code {argon2@SpringSecurity_v5_8}} and hashes without a prefix (the
   *       raw PHC strings secure-auth stores): this encoder, bounded;
   *   <li>{@code {bcrypt}}, {@code {scrypt}}, {@code {scrypt@SpringSecurity_v5_8}}, {@code {pbkdf2}}, {@code
   *       {pbkdf2@SpringSecurity_v5_8}}: Spring's encoders with Spring's parameters (not bounded by this hasher).
   * </ul>
   *
   * <p>The legacy ids {@code noop}, {@code MD4}, {@code MD5}, {@code SHA-1}, {@code SHA-256}, {@code sha256} and {@code
   * ldap} are deliberately not mapped: a hash with such a prefix (or any other unmapped id) makes {@code matches} throw
   * {@link IllegalArgumentException} naming the id, as Spring does, so a forgotten legacy store is an operator error
   * rather than a silent login path. Add them in your own {@code DelegatingPasswordEncoder} if you must migrate them.
   *
   * @param hasher the hasher new hashes are made with
   * @return the delegating encoder
   */
  @SuppressWarnings("deprecation") // the v4.1/v5.5 presets are the parameters older {scrypt}/{pbkdf2} hashes were made with
  public static DelegatingPasswordEncoder delegating(PasswordHasher hasher) {
    SecureYeomanPasswordEncoder own = new SecureYeomanPasswordEncoder(hasher);
    Map<String, PasswordEncoder> encoders = new HashMap<>();
    encoders.put(ID, own);
    encoders.put("argon2", own);
    encoders.put("argon2@SpringSecurity_v5_8", own);
    encoders.put("bcrypt", new BCryptPasswordEncoder());
    encoders.put("scrypt", SCryptPasswordEncoder.defaultsForSpringSecurity_v4_1());
    encoders.put("scrypt@SpringSecurity_v5_8", SCryptPasswordEncoder.defaultsForSpringSecurity_v5_8());
    encoders.put("pbkdf2", Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_5());
    encoders.put("pbkdf2@SpringSecurity_v5_8", Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_8());
    DelegatingPasswordEncoder delegating = new DelegatingPasswordEncoder(ID, encoders);
    delegating.setDefaultPasswordEncoderForMatches(new UnprefixedMatcher(own));
    return delegating;
  }

  @Override
  public @Nullable String encode(@Nullable CharSequence rawPassword) {
    if (rawPassword == null) {
      return null;
    }
    char[] pw = toChars(rawPassword);
    try {
      return hasher.hash(pw);
    } catch (InterruptedException e) {
      throw interrupted(e);
    } finally {
      Arrays.fill(pw, '\0');
    }
  }

  @Override
  public boolean matches(@Nullable CharSequence rawPassword, @Nullable String encodedPassword) {
    if (rawPassword == null || rawPassword.length() == 0 || encodedPassword == null || encodedPassword.isEmpty()) {
      return false;
    }
    char[] pw = toChars(rawPassword);
    try {
      return hasher.verify(pw, encodedPassword);
    } catch (InterruptedException e) {
      throw interrupted(e);
    } finally {
      Arrays.fill(pw, '\0');
    }
  }

  @Override
  public boolean upgradeEncoding(@Nullable String encodedPassword) {
    if (encodedPassword == null || encodedPassword.isEmpty()) {
      return false;
    }
    return hasher.needsRehash(encodedPassword);
  }

  @Override
  public String toString() {
    return "SecureYeomanPasswordEncoder[" + hasher.parameters() + "]";
  }

  static char[] toChars(CharSequence s) {
    char[] out = new char[s.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = s.charAt(i);
    }
    return out;
  }

  private static IllegalStateException interrupted(InterruptedException e) {
    Thread.currentThread().interrupt();
    return new IllegalStateException("interrupted while waiting for a password-hashing slot", e);
  }

  /**
   * The delegating encoder's fallback: a hash without an {@code {id}} prefix is one of our PHC strings; an unmapped id
   * is refused loudly, as Spring's default fallback does.
   */
  private static final class UnprefixedMatcher implements PasswordEncoder {
    private final SecureYeomanPasswordEncoder own;

    UnprefixedMatcher(SecureYeomanPasswordEncoder own) {
      this.own = own;
    }

    @Override
    public @Nullable String encode(@Nullable CharSequence rawPassword) {
      throw new UnsupportedOperationException("encode is not supported");
    }

    @Override
    public boolean matches(@Nullable CharSequence rawPassword, @Nullable String encodedPassword) {
      int end = encodedPassword == null || !encodedPassword.startsWith("{") ? -1 : encodedPassword.indexOf('}');
      if (end > 0) {
        String stored = Objects.requireNonNull(encodedPassword, "a brace was found in it");
        String id = stored.substring(1, Math.min(end, 1 + 64));
        throw new IllegalArgumentException("There is no PasswordEncoder mapped for the id \"" + id + "\"");
      }
      return own.matches(rawPassword, encodedPassword);
    }
  }
}
