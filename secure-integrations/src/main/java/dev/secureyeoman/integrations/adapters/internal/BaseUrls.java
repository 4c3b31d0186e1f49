package dev.secureyeoman.integrations.adapters.internal;

import dev.secureyeoman.integrations.IntegrationException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/** Checks a configured API base URL: https, or plain http to a loopback address (tests and local fakes only). */
public final class BaseUrls {
  private BaseUrls() {}

  /**
   * Parses and checks a base URL; the result has no trailing slash.
   *
   * @param id the integration id (for messages)
   * @param key the configuration key (for messages)
   * @param value the configured value
   * @return the URI without trailing slash
   * @throws IntegrationException if it is not https (or http to a loopback literal), or has user info, query or fragment
   */
  public static URI check(String id, String key, String value) throws IntegrationException {
    URI uri;
    try {
      uri = new URI(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
    } catch (URISyntaxException e) {
      throw new IntegrationException(id + "." + key + ": not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new IntegrationException(id + "." + key + ": must be scheme://host[:port][/path]");
    }
    if (scheme.equals("https")) {
      return uri;
    }
    if (scheme.equals("http") && loopbackLiteral(uri.getHost())) {
      return uri;
    }
    throw new IntegrationException(id + "." + key + ": must use https (plain http only to a loopback address)");
  }

  private static boolean loopbackLiteral(String host) {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      return false; // names are not resolved here: only literals count as loopback
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
