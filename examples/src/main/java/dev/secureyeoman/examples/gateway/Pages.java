package dev.secureyeoman.examples.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The browser pages: plain HTML + one script + one stylesheet from the class path, no build step, no inline script or
 * style (the CSP forbids both). {@code /} redirects to {@code /login}.
 *
 * <pre>
 * GET /login           sign in (Remember me kept in localStorage), 2FA code prompt, session-timeout warning
 * GET /2fa             2FA setup: QR code, manual key, confirm with a code + current password, recovery codes once
 * GET /reset-password  change the admin password (revokes every session)
 * GET /static/app.js, /static/style.css
 * </pre>
 */
public final class Pages {
  private static final String BASE = "/dev/secureyeoman/examples/web/";
  private static final Map<String, String[]> FILES =
      Map.of(
          "/login", new String[] {"login.html", "text/html; charset=utf-8"},
          "/2fa", new String[] {"2fa.html", "text/html; charset=utf-8"},
          "/reset-password", new String[] {"reset-password.html", "text/html; charset=utf-8"},
          "/static/app.js", new String[] {"app.js", "text/javascript; charset=utf-8"},
          "/static/style.css", new String[] {"style.css", "text/css; charset=utf-8"});

  private Pages() {}

  /**
   * Registers the pages (read once, at start).
   *
   * @param router the router
   */
  public static void register(Router router) {
    FILES.forEach(
        (path, file) -> {
          byte[] content = load(file[0]);
          router.get(path, r -> new ApiResponse(200, file[1], content, Map.of()));
        });
    router.get("/", r -> new ApiResponse(302, "", new byte[0], Map.of("Location", "/login")));
  }

  private static byte[] load(String name) {
    try (InputStream in = Pages.class.getResourceAsStream(BASE + name)) {
      if (in == null) {
        throw new IllegalStateException("missing page resource " + BASE + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
