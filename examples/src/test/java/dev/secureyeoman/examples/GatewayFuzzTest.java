package dev.secureyeoman.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded generator of hostile requests against every route (wrong JSON types, huge and odd numbers, deep nesting,
 * bad UTF-8, bad percent-encoding, odd content types and headers), over raw sockets so nothing is cleaned up on the
 * way. Every answer must be below 500, and every error a JSON body. The seed is printed with each failure.
 */
class GatewayFuzzTest {
  @TempDir Path tmp;

  private static final String[][] ROUTES = {
    {"POST", "/api/v1/auth/login"},
    {"POST", "/api/v1/auth/login/mfa"},
    {"POST", "/api/v1/auth/refresh"},
    {"POST", "/api/v1/auth/logout"},
    {"POST", "/api/v1/auth/reset-password"},
    {"POST", "/api/v1/auth/2fa/setup"},
    {"POST", "/api/v1/auth/2fa/enable"},
    {"POST", "/api/v1/auth/2fa/disable"},
    {"POST", "/api/v1/admin/kill-switch"},
    {"POST", "/api/v1/bot/messages"},
    {"GET", "/api/v1/admin/kill-switch"},
    {"GET", "/api/v1/audit/verify"},
    {"GET", "/api/v1/audit/search"},
    {"GET", "/metrics"},
    {"GET", "/healthz"},
    {"GET", "/login"},
    {"GET", "/static/app.js"},
    {"OPTIONS", "/api/v1/auth/login"},
  };

  private static final String[] FIELDS = {
    "username", "password", "rememberMe", "challengeToken", "code", "recoveryCode", "refreshToken", "currentPassword",
    "newPassword", "engaged", "reason", "platform", "thread", "text", "__proto__", ""
  };

  private static final String[] CONTENT_TYPES = {
    "application/json", "application/json; charset=utf-16", "application/json; charset=bogus", "text/plain",
    "multipart/form-data; boundary=", "application/x-www-form-urlencoded", ";;;", "application/json; charset=\"",
    "\u00e9/\u00e9", ""
  };

  private static final String[] QUERIES = {
    "", "?q=login", "?q=%zz", "?q=%", "?q=%e9", "?q=%c3%28", "?limit=99999999999999999999", "?limit=-1&q=a",
    "?q=a&limit=1e3", "?q=" + "a".repeat(300), "?q=%00", "?=&&=&q", "?q=a%2", "?q=\"*\"", "?q=NEAR(a b)", "?q=a;b"
  };

  private static String value(Random r, int depth) {
    switch (r.nextInt(depth > 3 ? 9 : 12)) {
      case 0:
        return "null";
      case 1:
        return r.nextBoolean() ? "true" : "false";
      case 2:
        return "1e400";
      case 3:
        return "-0.0";
      case 4:
        return "123456789012345678901234567890123456789";
      case 5:
        return "\"" + "x".repeat(r.nextInt(3) == 0 ? 2000 : 5) + "\"";
      case 6:
        return "\"\\ud800\"";
      case 7:
        return "\"123456\"";
      case 8:
        return Integer.toString(r.nextInt());
      case 9:
        return "[" + value(r, depth + 1) + "," + value(r, depth + 1) + "]";
      case 10:
        return object(r, depth + 1);
      default:
        return "{\"a\":".repeat(40) + "1" + "}".repeat(40);
    }
  }

  private static String object(Random r, int depth) {
    StringBuilder b = new StringBuilder("{");
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append('"').append(FIELDS[r.nextInt(FIELDS.length)]).append("\":").append(value(r, depth));
    }
    return b.append('}').toString();
  }

  private static byte[] body(Random r) {
    switch (r.nextInt(8)) {
      case 0:
        return new byte[0];
      case 1:
        byte[] junk = new byte[r.nextInt(64) + 1];
        r.nextBytes(junk);
        return junk;
      case 2:
        return "{\"username\":\"admin\",\"password\":\"x\"".getBytes(StandardCharsets.UTF_8); // truncated
      case 3:
        return ("[" + value(r, 0) + "]").getBytes(StandardCharsets.UTF_8);
      default:
        return object(r, 0).getBytes(StandardCharsets.UTF_8);
    }
  }

  private static String send(int port, String method, String target, List<String> headers, byte[] body)
      throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(30_000);
      StringBuilder h = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
      h.append("Host: 127.0.0.1\r\nConnection: close\r\n");
      for (String x : headers) {
        h.append(x).append("\r\n");
      }
      h.append("Content-Length: ").append(body.length).append("\r\n\r\n");
      s.getOutputStream().write(h.toString().getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().write(body);
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {20261202L, 7L, 424242L})
  void seededHostileRequests_everyRoute_neverA5xx_errorsAreJson(long seed) throws Exception {
    Random r = new Random(seed);
    List<String> failures = new ArrayList<>();
    try (GatewayFixture f = new GatewayFixture(tmp)) {
      String token = f.adminToken();
      for (int i = 0; i < 400; i++) {
        String[] route = ROUTES[r.nextInt(ROUTES.length)];
        List<String> headers = new ArrayList<>();
        int auth = r.nextInt(4);
        if (auth == 0 || auth == 1) {
          headers.add("Authorization: Bearer " + token);
        } else if (auth == 2) {
          headers.add("Authorization: " + (r.nextBoolean() ? "Bearer " : "Basic ") + "\u00e9x.y.z");
        }
        String ct = CONTENT_TYPES[r.nextInt(CONTENT_TYPES.length)];
        if (!ct.isEmpty()) {
          headers.add("Content-Type: " + ct);
        }
        if (r.nextInt(5) == 0) {
          headers.add("Cookie: " + f.gateway.refreshCookieName() + "=" + (r.nextBoolean() ? "%zz" : "\u00e9;;=="));
        }
        if (r.nextInt(6) == 0) {
          headers.add("X-Request-ID: " + "%".repeat(r.nextInt(300)));
        }
        if (r.nextInt(8) == 0) {
          headers.add("traceparent: 00-" + "f".repeat(r.nextInt(40)) + "-zz-01");
        }
        String target = route[1] + QUERIES[r.nextInt(QUERIES.length)];
        byte[] body = body(r);
        String response = send(f.gateway.port(), route[0], target, headers, body);
        String status = response.length() >= 12 ? response.substring(9, 12) : "???";
        boolean json = response.contains("Content-Type: application/json");
        boolean page = response.contains("Content-Type: text/") || response.contains("Content-Type: application/javascript");
        if (status.startsWith("5") && !status.equals("503") || status.equals("???")) {
          failures.add(i + ": " + route[0] + " " + target + " " + headers + " body=" + new String(body, StandardCharsets.UTF_8) + " -> " + response.lines().findFirst().orElse("") + " " + response.substring(Math.max(0, response.indexOf("\r\n\r\n"))));
        } else if (status.charAt(0) == '4' && !json) {
          failures.add(i + ": non-JSON error " + route[0] + " " + target + " -> " + response);
        } else if (status.equals("503") && !response.contains("kill switch")) {
          failures.add(i + ": 503 without an outage " + route[0] + " " + target + " -> " + response);
        } else if (status.startsWith("2") && !json && !page && !status.equals("204")) {
          failures.add(i + ": odd success " + route[0] + " " + target + " -> " + response.lines().findFirst().orElse(""));
        }
        if (route[1].endsWith("/logout") && status.equals("204")) {
          token = f.adminToken(); // the fuzzer logged its own session out
        }
      }
    }
    assertTrue(failures.isEmpty(), "seed " + seed + ", " + failures.size() + " failures:\n" + String.join("\n", failures));
  }
}
