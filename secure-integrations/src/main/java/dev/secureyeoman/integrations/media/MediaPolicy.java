package dev.secureyeoman.integrations.media;

import dev.secureyeoman.integrations.media.internal.AddressClassifier;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link MediaHandler} may download: size cap, hosts per platform, content types, redirects, timeouts and the
 * behaviour when the scanner fails. Immutable; built by {@link #builder()} (each option settable once) or derived with
 * {@link #toBuilder()}.
 *
 * <p>Defaults: {@value #DEFAULT_MAX_BYTES} bytes (10 MiB), https only, 3 redirects, executables refused, fail closed on
 * scanner errors, connect 10 s / read 15 s / total 60 s, 16 concurrent downloads and open handles. No host is allowed
 * unless listed; {@link #platformDefaults()} lists the Bot API, CDN and file hosts of Telegram, Discord and Slack.
 *
 * <p>Host patterns are exact names ({@code api.telegram.org}) or {@code *.example.com} (any subdomain, not the apex).
 * Address literals may be listed but are still subject to the address checks.
 *
 * <p>{@link Builder#allowLoopbackForTesting(int)} is a test switch: it lets downloads reach loopback addresses on the
 * given ports only, over plain {@code http} or {@code https}. Every other private range stays refused.
 */
public final class MediaPolicy {

  /** Default size cap: 10 MiB. */
  public static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;

  private final long maxBytes;
  private final Map<String, Set<String>> allowedHosts;
  private final int maxRedirects;
  private final Set<String> allowedTypes;
  private final boolean allowExecutables;
  private final boolean allowActiveContent;
  private final boolean failOpenOnScanError;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final Duration totalTimeout;
  private final int maxConcurrent;
  private final Set<Integer> loopbackTestPorts;

  private MediaPolicy(Builder b) {
    this.maxBytes = pick(b.maxBytes, b.base == null ? null : b.base.maxBytes, DEFAULT_MAX_BYTES);
    Map<String, Set<String>> hosts = new TreeMap<>();
    if (b.base != null) {
      b.base.allowedHosts.forEach((k, v) -> hosts.put(k, v));
    }
    b.hosts.forEach((k, v) -> hosts.put(k, Collections.unmodifiableSet(new TreeSet<>(v))));
    this.allowedHosts = Collections.unmodifiableMap(hosts);
    this.maxRedirects = pick(b.maxRedirects, b.base == null ? null : b.base.maxRedirects, 3);
    this.allowedTypes =
        pick(b.allowedTypes, b.base == null ? null : b.base.allowedTypes, Collections.<String>emptySet());
    this.allowExecutables = pick(b.allowExecutables, b.base == null ? null : b.base.allowExecutables, false);
    this.allowActiveContent =
        pick(b.allowActiveContent, b.base == null ? null : b.base.allowActiveContent, false);
    this.failOpenOnScanError =
        pick(b.failOpenOnScanError, b.base == null ? null : b.base.failOpenOnScanError, false);
    this.connectTimeout =
        pick(b.connectTimeout, b.base == null ? null : b.base.connectTimeout, Duration.ofSeconds(10));
    this.readTimeout = pick(b.readTimeout, b.base == null ? null : b.base.readTimeout, Duration.ofSeconds(15));
    this.totalTimeout = pick(b.totalTimeout, b.base == null ? null : b.base.totalTimeout, Duration.ofSeconds(60));
    this.maxConcurrent = pick(b.maxConcurrent, b.base == null ? null : b.base.maxConcurrent, 16);
    TreeSet<Integer> ports = new TreeSet<>(b.base == null ? Set.of() : b.base.loopbackTestPorts);
    ports.addAll(b.loopbackPorts);
    this.loopbackTestPorts = Collections.unmodifiableSet(ports);
  }

  private static <T> T pick(@Nullable T explicit, @Nullable T base, T fallback) {
    return explicit != null ? explicit : base != null ? base : fallback;
  }

  /**
   * A new builder with every default and no allowed host.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder(null);
  }

  /**
   * The defaults plus the hosts that serve files of the three supported platforms: {@code telegram} →
   * {@code api.telegram.org}; {@code discord} → {@code cdn.discordapp.com}, {@code media.discordapp.net}; {@code slack} →
   * {@code files.slack.com}.
   *
   * @return the policy
   */
  public static MediaPolicy platformDefaults() {
    return builder()
        .allowHosts("telegram", "api.telegram.org")
        .allowHosts("discord", "cdn.discordapp.com", "media.discordapp.net")
        .allowHosts("slack", "files.slack.com")
        .build();
  }

  /**
   * A builder starting from this policy; each option may be overridden once, host lists per platform replaced.
   *
   * @return the builder
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Returns the size cap in bytes.
   *
   * @return the maximum number of bytes written for one download
   */
  public long maxBytes() {
    return maxBytes;
  }

  /**
   * Returns the allowed host patterns per platform.
   *
   * @return an unmodifiable map, platform id → patterns
   */
  public Map<String, Set<String>> allowedHosts() {
    return allowedHosts;
  }

  /**
   * Returns whether {@code host} (already normalised: lower case, no trailing dot) is allowed for {@code platform}.
   *
   * @param platform the platform id
   * @param host the host name or literal
   * @return whether a pattern matches
   */
  public boolean hostAllowed(String platform, String host) {
    Set<String> patterns = allowedHosts.get(platform);
    if (patterns == null) {
      return false;
    }
    for (String p : patterns) {
      if (p.startsWith("*.")) {
        String suffix = p.substring(1);
        if (host.endsWith(suffix) && host.length() > suffix.length()) {
          return true;
        }
      } else if (p.equals(host)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the maximum number of redirects followed.
   *
   * @return 0..10
   */
  public int maxRedirects() {
    return maxRedirects;
  }

  /**
   * Returns the sniffed types accepted; empty means every type except executables (unless allowed).
   *
   * @return the type allowlist
   */
  public Set<String> allowedTypes() {
    return allowedTypes;
  }

  /**
   * Returns whether ELF, PE, Mach-O and {@code #!} scripts are accepted.
   *
   * @return false by default
   */
  public boolean allowExecutables() {
    return allowExecutables;
  }

  /**
   * Returns whether active content is accepted: HTML, SVG and XML documents (script runs when a browser renders them),
   * OLE2 compound files (legacy Office documents with macros, MSI installers), and declarations of script or markup
   * types. Off by default; even when on, declaration and content must still agree.
   *
   * @return false by default
   */
  public boolean allowActiveContent() {
    return allowActiveContent;
  }

  /**
   * Returns whether a scanner {@code ERROR} lets the file through (fail open).
   *
   * @return false by default (fail closed)
   */
  public boolean failOpenOnScanError() {
    return failOpenOnScanError;
  }

  /**
   * Returns the TCP connect timeout.
   *
   * @return the timeout
   */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /**
   * Returns the longest wait for any single read.
   *
   * @return the timeout
   */
  public Duration readTimeout() {
    return readTimeout;
  }

  /**
   * Returns the limit for a whole download including redirects (slow-drip defence).
   *
   * @return the timeout
   */
  public Duration totalTimeout() {
    return totalTimeout;
  }

  /**
   * Returns how many downloads and open handles may exist at once.
   *
   * @return the limit
   */
  public int maxConcurrent() {
    return maxConcurrent;
  }

  /**
   * Returns the loopback ports that the test switch opened.
   *
   * @return empty in production
   */
  public Set<Integer> loopbackTestPorts() {
    return loopbackTestPorts;
  }

  @Override
  public String toString() {
    return "MediaPolicy[maxBytes="
        + maxBytes
        + ", hosts="
        + allowedHosts
        + ", maxRedirects="
        + maxRedirects
        + ", allowedTypes="
        + (allowedTypes.isEmpty() ? "any" : allowedTypes)
        + ", allowExecutables="
        + allowExecutables
        + ", allowActiveContent="
        + allowActiveContent
        + ", failOpenOnScanError="
        + failOpenOnScanError
        + (loopbackTestPorts.isEmpty() ? "" : ", LOOPBACK TEST PORTS=" + loopbackTestPorts)
        + "]";
  }

  /** Validating builder: bad values throw {@link IllegalArgumentException}, a second set {@link IllegalStateException}. */
  public static final class Builder {
    private final @Nullable MediaPolicy base;
    private @Nullable Long maxBytes;
    private final Map<String, Set<String>> hosts = new TreeMap<>();
    private @Nullable Integer maxRedirects;
    private @Nullable Set<String> allowedTypes;
    private @Nullable Boolean allowExecutables;
    private @Nullable Boolean allowActiveContent;
    private @Nullable Boolean failOpenOnScanError;
    private @Nullable Duration connectTimeout;
    private @Nullable Duration readTimeout;
    private @Nullable Duration totalTimeout;
    private @Nullable Integer maxConcurrent;
    private final Set<Integer> loopbackPorts = new TreeSet<>();

    private Builder(@Nullable MediaPolicy base) {
      this.base = base;
    }

    private static void once(@Nullable Object current, String option) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }

    /**
     * Sets the size cap.
     *
     * @param bytes 1 byte to 2 GiB
     * @return this builder
     */
    public Builder maxBytes(long bytes) {
      once(maxBytes, "maxBytes");
      if (bytes < 1 || bytes > (1L << 31)) {
        throw new IllegalArgumentException("maxBytes must be in 1..2147483648, got " + bytes);
      }
      maxBytes = bytes;
      return this;
    }

    /**
     * Allows hosts for a platform (replacing the base policy's list for that platform).
     *
     * @param platform platform id, lower case ({@code telegram})
     * @param patterns exact host names, address literals, or {@code *.domain}
     * @return this builder
     */
    public Builder allowHosts(String platform, String... patterns) {
      if (platform == null || !platform.matches("[a-z][a-z0-9_-]{0,127}")) {
        throw new IllegalArgumentException("platform must match [a-z][a-z0-9_-]*, got " + platform);
      }
      once(hosts.get(platform), "allowHosts(" + platform + ")");
      if (patterns == null || patterns.length == 0) {
        throw new IllegalArgumentException("allowHosts(" + platform + ") needs at least one host");
      }
      Set<String> set = new TreeSet<>();
      for (String p : patterns) {
        set.add(checkPattern(p));
      }
      hosts.put(platform, set);
      return this;
    }

    private static String checkPattern(String pattern) {
      if (pattern == null) {
        throw new IllegalArgumentException("host pattern must not be null");
      }
      String p = pattern.toLowerCase(Locale.ROOT);
      String name = p.startsWith("*.") ? p.substring(2) : p;
      if (name.indexOf(':') >= 0 && !name.startsWith("[")) {
        name = "[" + name + "]";
      }
      AddressClassifier.Host host;
      try {
        host = AddressClassifier.parseHost(name);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("host pattern '" + pattern + "' is not a host name or address", e);
      }
      if (host.isLiteral() && (p.startsWith("*.") || !host.canonical())) {
        throw new IllegalArgumentException("host pattern '" + pattern + "' must be a canonical address literal");
      }
      if (!host.isLiteral() && name.indexOf('.') < 0 && !name.equals("localhost")) {
        throw new IllegalArgumentException("host pattern '" + pattern + "' needs a dot (no bare top-level domains)");
      }
      return (p.startsWith("*.") ? "*." : "") + host.name();
    }

    /**
     * Sets how many redirects are followed; each target is checked like the first URL.
     *
     * @param n 0..10
     * @return this builder
     */
    public Builder maxRedirects(int n) {
      once(maxRedirects, "maxRedirects");
      if (n < 0 || n > 10) {
        throw new IllegalArgumentException("maxRedirects must be in 0..10, got " + n);
      }
      maxRedirects = n;
      return this;
    }

    /**
     * Restricts the accepted sniffed types (for example {@code image/jpeg}, {@code image/png}).
     *
     * @param types lower-case media types
     * @return this builder
     */
    public Builder allowTypes(String... types) {
      once(allowedTypes, "allowTypes");
      Set<String> set = new TreeSet<>();
      for (String t : types) {
        if (t == null || !t.matches("[a-z0-9.+-]+/[a-z0-9.+-]+")) {
          throw new IllegalArgumentException("allowTypes: '" + t + "' is not a lower-case media type");
        }
        set.add(t);
      }
      if (set.isEmpty()) {
        throw new IllegalArgumentException("allowTypes needs at least one type");
      }
      allowedTypes = Collections.unmodifiableSet(set);
      return this;
    }

    /**
     * Accepts executables (ELF, PE, Mach-O, class files, {@code #!} scripts). Off by default.
     *
     * @param allow whether to accept them
     * @return this builder
     */
    public Builder allowExecutables(boolean allow) {
      once(allowExecutables, "allowExecutables");
      allowExecutables = allow;
      return this;
    }

    /**
     * Accepts active content (HTML, SVG, XML, OLE2 compound files such as {@code .doc}/{@code .xls}/{@code .msi}, and
     * script or markup declarations). Off by default: such files run code when opened or rendered.
     *
     * @param allow whether to accept them
     * @return this builder
     */
    public Builder allowActiveContent(boolean allow) {
      once(allowActiveContent, "allowActiveContent");
      allowActiveContent = allow;
      return this;
    }

    /**
     * Lets a file through when the scanner reports {@code ERROR} (fail open). Off by default: fail closed.
     *
     * @param failOpen whether to accept unscanned files
     * @return this builder
     */
    public Builder failOpenOnScanError(boolean failOpen) {
      once(failOpenOnScanError, "failOpenOnScanError");
      failOpenOnScanError = failOpen;
      return this;
    }

    /**
     * Sets the connect timeout.
     *
     * @param timeout 1 ms to 5 min
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      once(connectTimeout, "connectTimeout");
      connectTimeout = checkTimeout("connectTimeout", timeout, Duration.ofMinutes(5));
      return this;
    }

    /**
     * Sets the read timeout (longest silence while reading).
     *
     * @param timeout 1 ms to 5 min
     * @return this builder
     */
    public Builder readTimeout(Duration timeout) {
      once(readTimeout, "readTimeout");
      readTimeout = checkTimeout("readTimeout", timeout, Duration.ofMinutes(5));
      return this;
    }

    /**
     * Sets the limit of one whole download.
     *
     * @param timeout 1 ms to 1 h
     * @return this builder
     */
    public Builder totalTimeout(Duration timeout) {
      once(totalTimeout, "totalTimeout");
      totalTimeout = checkTimeout("totalTimeout", timeout, Duration.ofHours(1));
      return this;
    }

    private static Duration checkTimeout(String name, Duration d, Duration max) {
      if (d == null || d.toMillis() < 1 || d.compareTo(max) > 0) {
        throw new IllegalArgumentException(name + " must be in 1ms.." + max + ", got " + d);
      }
      return d;
    }

    /**
     * Sets how many downloads and open handles may exist at once; more are refused with {@code BUSY}.
     *
     * @param n 1..4096
     * @return this builder
     */
    public Builder maxConcurrent(int n) {
      once(maxConcurrent, "maxConcurrent");
      if (n < 1 || n > 4096) {
        throw new IllegalArgumentException("maxConcurrent must be in 1..4096, got " + n);
      }
      maxConcurrent = n;
      return this;
    }

    /**
     * <b>Tests only.</b> Allows loopback destinations on {@code port} (and plain {@code http} to them), so tests can run
     * against a local server. Other private ranges and other loopback ports stay refused.
     *
     * @param port 1..65535
     * @return this builder
     */
    public Builder allowLoopbackForTesting(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be in 1..65535, got " + port);
      }
      loopbackPorts.add(port);
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the immutable policy
     */
    public MediaPolicy build() {
      return new MediaPolicy(this);
    }
  }
}
