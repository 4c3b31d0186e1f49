package dev.secureyeoman.auth;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.testkit.TestClock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second {@link AuthService} instance in its own JVM, on the same SQLite file as the test's instance: the real
 * multi-process setting (separate caches, separate connections, separate write locks). The test drives it over stdin with
 * tab-separated commands; each command carries the test clock's time, so both instances share one fake clock.
 *
 * <p>One child JVM can serve several tests: {@link #open} (re)opens its service on another fixture's database.
 *
 * <p>Commands: {@code login user pw} → {@code access refresh} (or {@code MFA challenge}); {@code auth access} →
 * {@code username}; {@code refresh rt}; {@code logout access}; {@code logoutall access}; {@code change access cur new};
 * {@code reset access cur new}; {@code rotate} → {@code kid}. Answers: {@code OK\t…} or {@code ERR\tExceptionName}.
 */
public final class ChildAuth implements AutoCloseable {
  private final Process process;
  private final PrintWriter in;
  private final BufferedReader out;
  private TestClock clock;

  private ChildAuth(Process process) {
    this.process = process;
    this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Starts a child JVM (no database yet: see {@link #open}). */
  public static ChildAuth start() throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx128m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ChildAuth.class.getName());
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    ChildAuth c = new ChildAuth(p);
    String ready = c.out.readLine();
    if (!"READY".equals(ready)) {
      p.destroyForcibly();
      throw new IOException("child did not start: " + ready);
    }
    return c;
  }

  /** Starts a child JVM and opens its service on the fixture's database. */
  public static ChildAuth start(AuthFixture f) throws IOException {
    ChildAuth c = start();
    c.open(f);
    return c;
  }

  /**
   * (Re)opens the child's service on the fixture's database, master key and revocation interval; from now on the
   * child's clock follows the fixture's.
   */
  public void open(AuthFixture f) throws IOException {
    this.clock = f.clock;
    List<String> open =
        new ArrayList<>(
            List.of(
                "open", f.dbFile.toString(), HexFormat.of().formatHex(f.masterKey),
                Long.toString(f.settings.revocationCheckInterval().toMillis())));
    if (f.postgres != null) {
      open.addAll(List.of(f.postgres)); // the fixture's PostgreSQL database instead of the file
    }
    call(open.toArray(String[]::new));
  }

  /** Sends one command at the test clock's current time; returns the answer's fields after {@code OK}. */
  public String[] call(String... command) throws IOException {
    in.println((clock == null ? 0 : clock.millis()) + "\t" + String.join("\t", command));
    String line = out.readLine();
    if (line == null) {
      throw new IOException("child exited");
    }
    String[] parts = line.split("\t", -1);
    if (!parts[0].equals("OK")) {
      throw new ChildException(parts.length > 1 ? parts[1] : line);
    }
    String[] rest = new String[parts.length - 1];
    System.arraycopy(parts, 1, rest, 0, rest.length);
    return rest;
  }

  /** The child answered with an exception (its simple class name). */
  public static final class ChildException extends IOException {
    private static final long serialVersionUID = 1L;

    ChildException(String type) {
      super(type);
    }

    public String type() {
      return getMessage();
    }
  }

  @Override
  public void close() throws Exception {
    in.println("0\texit");
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  /**
   * Child side: answers {@code READY}, then serves commands until {@code exit} or end of input.
   *
   * @param args none
   */
  public static void main(String[] args) throws Exception {
    TestClock clock = TestClock.at(Instant.EPOCH);
    PrintWriter w = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    AuthService s = null;
    w.println("READY");
    try {
      String line;
      while ((line = r.readLine()) != null) {
        String[] c = line.split("\t", -1);
        clock.set(Instant.ofEpochMilli(Long.parseLong(c[0])));
        if (c[1].equals("exit")) {
          return;
        }
        try {
          if (c[1].equals("open")) {
            if (s != null) {
              s.close();
            }
            s = open(c, clock);
            w.println("OK\t");
          } else {
            w.println("OK\t" + run(s, c));
          }
        } catch (Exception e) {
          w.println("ERR\t" + e.getClass().getSimpleName());
        }
      }
    } finally {
      if (s != null) {
        s.close();
      }
    }
  }

  private static AuthService open(String[] c, TestClock clock) throws AuthException {
    // c[5..7]: JDBC URL, user, password of a PostgreSQL database (the pool lives as long as this child JVM)
    javax.sql.DataSource db =
        c.length > 5
            ? AuthDataSources.postgres(c[5], c[6], c[7].toCharArray())
            : AuthDataSources.sqlite(Path.of(c[2]));
    return AuthService.builder()
        .dataSource(db)
        .auditSink(new MemoryAuditSink())
        .masterKey(SecretBytes.copyOf(HexFormat.of().parseHex(c[3])))
        .settings(
            AuthSettings.builder()
                .hashParameters(AuthFixture.CHEAP)
                .revocationCheckInterval(Duration.ofMillis(Long.parseLong(c[4])))
                .build())
        .clock(clock)
        .random(new SecureRandom())
        .build();
  }

  private static String run(AuthService s, String[] c) throws Exception {
    ClientInfo client = ClientInfo.of("192.0.2.200");
    switch (c[1]) {
      case "login" -> {
        LoginResult lr = s.login(c[2], c[3].toCharArray(), false, client);
        if (lr instanceof LoginResult.Authenticated a) {
          return a.tokens().accessToken() + "\t" + a.tokens().refreshToken();
        }
        return "MFA\t" + ((LoginResult.MfaRequired) lr).challengeToken();
      }
      case "auth" -> {
        return s.authenticate(c[2]).username();
      }
      case "refresh" -> {
        AuthTokens t = s.refresh(c[2], client);
        return t.accessToken() + "\t" + t.refreshToken();
      }
      case "logout" -> {
        s.logout(s.authenticate(c[2]));
        return "";
      }
      case "logoutall" -> {
        s.logoutEverywhere(s.authenticate(c[2]));
        return "";
      }
      case "change" -> {
        s.changePassword(s.authenticate(c[2]), c[3].toCharArray(), c[4].toCharArray());
        return "";
      }
      case "reset" -> {
        s.resetPassword(s.authenticate(c[2]), c[3].toCharArray(), c[4].toCharArray());
        return "";
      }
      case "rotate" -> {
        return s.rotateSigningKey();
      }
      default -> throw new IllegalArgumentException("unknown command " + c[1]);
    }
  }
}
