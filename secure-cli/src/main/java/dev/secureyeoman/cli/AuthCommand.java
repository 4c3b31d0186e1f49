package dev.secureyeoman.cli;

import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditReader;
import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.AuditStoreOptions;
import dev.secureyeoman.audit.SqliteAuditStore;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.auth.AuthDataSources;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthSettings;
import dev.secureyeoman.auth.PasswordPolicyException;
import dev.secureyeoman.auth.SessionInfo;
import dev.secureyeoman.auth.UserAdministration;
import dev.secureyeoman.auth.UserInfo;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.config.ConfigException;
import dev.secureyeoman.core.config.EncryptedConfigLoader;
import dev.secureyeoman.core.crypto.KeySource;
import dev.secureyeoman.core.crypto.KeySourceException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Stack;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code secureyeoman auth ...}: account and session administration directly on the auth database (DESIGN §6) — the way
 * out of a lost administrator password without editing SQLite.
 *
 * <p>Every change goes through {@link AuthService#operator(String)}: it is audited (actor {@code operator:<name>})
 * before it commits, so changing commands need the audit log ({@code --audit-db}, key from {@code
 * SECUREYEOMAN_AUDIT_KEY} or {@code --audit-key-file}); an existing audit log is verified with that key first, so a
 * wrong key fails before anything changes, and if the log cannot be written nothing changes. New passwords come from a
 * terminal prompt (typed twice), standard input ({@code --password-stdin}, first line) or an environment variable
 * ({@code --password-env VAR}), never from the command line ({@code --password VALUE} is refused without echoing
 * it). {@code --db} must name an auth database, or (for {@code user add}) a file that does not exist yet: any other
 * file is refused untouched. The password policy is the default one (minimum 32) unless {@code --config} names the
 * host's configuration.
 *
 * <p>These commands never issue or verify tokens and never decrypt TOTP secrets, so they need no auth master key: the
 * service is opened with a random one-off key that is used for nothing that persists.
 */
@Command(
    name = "auth",
    description = "Users and sessions of an auth database: add, list, disable, enable, delete, set roles, reset passwords.",
    mixinStandardHelpOptions = true,
    subcommands = {AuthCommand.User.class, AuthCommand.Sessions.class})
public final class AuthCommand implements Runnable {

  /** Default environment variable of the audit key (as for {@code secureyeoman audit}). */
  static final String DEFAULT_AUDIT_KEY_ENV = "SECUREYEOMAN_AUDIT_KEY";

  /** Environment variable of the key of an encrypted {@code --config}. */
  static final String CONFIG_KEY_ENV = "SECUREYEOMAN_CONFIG_KEY";

  /** Environment lookup; tests replace it, production reads the process environment. */
  static volatile UnaryOperator<String> env = System::getenv;

  /** Reads a new password twice from the terminal; tests replace it. Returns null when there is no terminal. */
  @FunctionalInterface
  interface PasswordPrompt {
    char[][] readTwice(String prompt);
  }

  static volatile PasswordPrompt prompt =
      p -> {
        java.io.Console c = System.console();
        if (c == null) {
          return null;
        }
        return new char[][] {c.readPassword("%s: ", p), c.readPassword("%s (again): ", p)};
      };

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  AuthCommand() {}

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "an auth subcommand is required: user, sessions");
  }

  /** Options every auth command takes. */
  static final class Target {
    @Option(names = "--db", required = true, description = "Auth database file.")
    Path db;

    @Option(names = "--config", description = "Host configuration (plain or encrypted YAML) for the password policy.")
    Path config;

    @Option(
        names = "--operator",
        description = "Name recorded as the audit actor operator:<name> (default: the OS user name).")
    String operator;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    String operatorName() {
      String name = operator != null ? operator : System.getProperty("user.name", "cli");
      String cleaned = name.replaceAll("[^A-Za-z0-9._@-]", "_");
      if (cleaned.isEmpty() || cleaned.length() > 64) {
        throw new CliUsageException("--operator must be 1-64 chars of [A-Za-z0-9._@-]");
      }
      return cleaned;
    }

    AuthSettings settings() {
      if (config == null) {
        return AuthSettings.defaults();
      }
      try {
        return AuthSettings.fromConfig(
            EncryptedConfigLoader.builder()
                .keySource(KeySource.rawKeyFromEnv(CONFIG_KEY_ENV, env::apply))
                .build()
                .load(config)
                .auth());
      } catch (ConfigException e) {
        throw new IllegalArgumentException(e.getMessage());
      }
    }

    /**
     * A passphrase on the command line is visible to every user (ps, /proc) and lands in shell history: the option is
     * declared only to refuse it without echoing its value (picocli's "unknown option" error would print it).
     */
    @Option(names = "--password", hidden = true, arity = "0..1", paramLabel = "REFUSED")
    char[] argvPassword;

    void refuseArgvPassword() {
      if (argvPassword != null) {
        Arrays.fill(argvPassword, '\0');
        throw new CliUsageException(
            "--password is refused: a password on the command line is visible to other users and kept in shell"
                + " history; use --password-stdin, --password-env VAR or the terminal prompt");
      }
    }

    void requireDb() {
      refuseArgvPassword();
      if (!Files.isRegularFile(db)) {
        throw new IllegalArgumentException("no auth database at " + db);
      }
      requireAuthDatabase(db);
    }

    /** Before a database may be created: an existing file must already be an auth database (never written over). */
    void requireNewOrAuthDb() {
      refuseArgvPassword();
      if (Files.exists(db, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.exists(db)) {
        if (!Files.isRegularFile(db)) {
          throw new IllegalArgumentException(db + " exists and is not an auth database");
        }
        requireAuthDatabase(db);
      }
    }
  }

  /** SQLite's file header: the first 16 bytes of every database file. */
  private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

  /**
   * Refuses a file that is not an SQLite database holding secure-auth's schema table, read without writing: the
   * service would otherwise create its schema inside whatever file {@code --db} names (another application's database,
   * the audit log, an empty file).
   */
  static void requireAuthDatabase(Path db) {
    try {
      byte[] head = new byte[SQLITE_HEADER.length];
      int n;
      try (java.io.InputStream in = Files.newInputStream(db)) {
        n = in.readNBytes(head, 0, head.length);
      }
      if (n != head.length || !Arrays.equals(head, SQLITE_HEADER)) {
        throw new IllegalArgumentException(db + " is not an auth database (not an SQLite file); nothing was written");
      }
      java.util.Properties ro = new java.util.Properties();
      ro.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY: this check never writes
      try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db, ro);
          java.sql.Statement st = c.createStatement();
          java.sql.ResultSet rs =
              st.executeQuery("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'auth_schema'")) {
        if (!rs.next() || rs.getInt("n") != 1) {
          throw new IllegalArgumentException(
              db + " is an SQLite database without secure-auth's schema; nothing was written");
        }
      }
    } catch (IOException | java.sql.SQLException e) {
      throw new IllegalArgumentException("cannot read " + db + " as an auth database");
    }
  }

  /** Where the audit events of a changing command go. */
  static final class Audit {
    @Option(names = "--audit-db", required = true, description = "Audit database that records the change.")
    Path auditDb;

    @ArgGroup(exclusive = true)
    AuditKey key;

    static final class AuditKey {
      @Option(
          names = "--audit-key-env",
          description = "Environment variable with the base64 32-byte audit key (default: " + DEFAULT_AUDIT_KEY_ENV + ").")
      String variable;

      @Option(names = "--audit-key-file", description = "File with the base64 32-byte audit key.")
      Path file;
    }

    SecretBytes loadKey() {
      try {
        if (key != null && key.file != null) {
          byte[] text = Files.readAllBytes(key.file);
          char[] chars = new char[text.length];
          for (int i = 0; i < text.length; i++) {
            chars[i] = (char) (text[i] & 0xff);
          }
          try {
            return KeySource.decodeRawKeyBytes(chars, "key file " + key.file);
          } finally {
            Arrays.fill(text, (byte) 0);
            Arrays.fill(chars, '\0');
          }
        }
        String variable = key != null && key.variable != null ? key.variable : DEFAULT_AUDIT_KEY_ENV;
        String v = env.apply(variable);
        if (v == null || v.isBlank()) {
          throw new CliUsageException(
              "environment variable " + variable + " is not set (base64 of the 32-byte audit key)");
        }
        char[] chars = v.toCharArray();
        try {
          return KeySource.decodeRawKeyBytes(chars, "environment variable " + variable);
        } finally {
          Arrays.fill(chars, '\0');
        }
      } catch (KeySourceException e) {
        throw new IllegalArgumentException(e.getMessage());
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read audit key file " + key.file);
      }
    }

    /**
     * Opens the audit log for the change. An existing log is first verified, read-only, with the given key: with a
     * wrong key the store would still open and append entries no one can verify, after the change was made. So a
     * wrong key (or a log that does not verify) fails here, before anything changes.
     */
    AuditStore open() throws AuditException {
      try (SecretBytes k = loadKey()) {
        AuditStoreOptions options = AuditStoreOptions.builder(auditDb).macKey(k).build();
        if (Files.exists(auditDb)) {
          VerificationResult v;
          try (AuditReader r = SqliteAuditStore.openReadOnly(options)) {
            v = r.verify();
          }
          if (!v.valid()) {
            throw new IllegalArgumentException(
                "the audit log " + auditDb + " does not verify with this key (wrong audit key?): "
                    + v.problem().map(Enum::name).orElse("invalid") + v.firstBrokenSeq().stream()
                    .mapToObj(seq -> " at seq " + seq).findFirst().orElse("") + "; nothing was changed");
          }
        }
        return SqliteAuditStore.open(options);
      }
    }
  }

  /** Runs work on an open administration; closes what it opened. */
  @FunctionalInterface
  interface AdminWork {
    void run(UserAdministration admin) throws AuthException;
  }

  /** Opens the service on {@code target} with {@code sink} (a one-off master key: see the class comment). */
  static AuthService open(Target target, AuditSink sink, AuthSettings settings) throws AuthException {
    byte[] oneOff = new byte[32];
    new SecureRandom().nextBytes(oneOff);
    try (SecretBytes k = SecretBytes.adopt(oneOff)) {
      return AuthService.builder()
          .dataSource(AuthDataSources.sqlite(target.db))
          .auditSink(sink)
          .masterKey(k)
          .settings(settings)
          .build();
    }
  }

  /** Runs a read-only command: no audit log needed, and nothing may be audited. */
  static void read(Target target, AdminWork work) throws AuthException {
    target.requireDb();
    AuditSink refuse = e -> {
      throw new AuditException("read-only command: nothing may be recorded");
    };
    try (AuthService s = open(target, refuse, target.settings())) {
      work.run(s.operator(target.operatorName()));
    }
  }

  /** Runs a changing command: audited to {@code audit} before it commits. */
  static void change(Target target, Audit audit, boolean createDb, AdminWork work) throws AuthException, AuditException {
    if (createDb) {
      target.requireNewOrAuthDb();
    } else {
      target.requireDb();
    }
    String operator = target.operatorName();
    AuthSettings settings = target.settings(); // a bad --config fails before anything is opened
    try (AuditStore store = audit.open();
        AuthService s = open(target, store, settings)) {
      work.run(s.operator(operator));
    }
  }

  /** Standard input for {@code --password-stdin}; tests replace it. */
  static volatile java.util.function.Supplier<java.io.InputStream> stdin = () -> System.in;

  /** Longest password line read from standard input (bytes; the policy's maximum is 1 024 code points). */
  static final int MAX_STDIN_PASSWORD_BYTES = 4096 + 2;

  /** Where a new password comes from (at most one option; none means the terminal prompt). */
  static final class PasswordSource {
    @Option(names = "--password-env", paramLabel = "VAR", description = "Read the password from this variable.")
    String env;

    @Option(
        names = "--password-stdin",
        description = "Read the password from the first line of standard input (e.g. a pipe from a secret manager).")
    boolean stdin;
  }

  /** A new password from the chosen source or the terminal; the caller wipes it. */
  static char[] newPassword(PasswordSource source, String what) {
    if (source != null && source.stdin) {
      return passwordFromStdin();
    }
    return newPassword(source == null ? null : source.env, what);
  }

  /** Reads one line (UTF-8, without its line end) from standard input, never echoing it. */
  static char[] passwordFromStdin() {
    byte[] buf = new byte[MAX_STDIN_PASSWORD_BYTES];
    int n = 0;
    try {
      java.io.InputStream in = stdin.get();
      int b;
      while (n < buf.length && (b = in.read()) != -1 && b != '\n') {
        buf[n++] = (byte) b;
      }
      if (n == buf.length) {
        throw new IllegalArgumentException("the password on standard input is too long");
      }
      if (n > 0 && buf[n - 1] == '\r') {
        n--;
      }
      if (n == 0) {
        throw new CliUsageException("--password-stdin: standard input holds no password line");
      }
      java.nio.CharBuffer cb =
          StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
              .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(buf, 0, n));
      char[] out = new char[cb.remaining()];
      cb.get(out);
      Arrays.fill(cb.array(), '\0');
      return out;
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IllegalArgumentException("the password on standard input is not valid UTF-8");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the password from standard input");
    } finally {
      Arrays.fill(buf, (byte) 0);
    }
  }

  /** A new password from {@code --password-env} or the terminal (typed twice); the caller wipes it. */
  static char[] newPassword(String passwordEnv, String what) {
    if (passwordEnv != null) {
      String v = env.apply(passwordEnv);
      if (v == null || v.isEmpty()) {
        throw new CliUsageException("environment variable " + passwordEnv + " is not set");
      }
      return v.toCharArray();
    }
    char[][] typed = prompt.readTwice(what);
    if (typed == null) {
      throw new CliUsageException("no terminal to prompt for the password: use --password-stdin or --password-env VAR");
    }
    try {
      if (typed[0] == null || typed[1] == null || !Arrays.equals(typed[0], typed[1])) {
        throw new IllegalArgumentException("the two passwords do not match");
      }
      return typed[0].clone();
    } finally {
      for (char[] t : typed) {
        if (t != null) {
          Arrays.fill(t, '\0');
        }
      }
    }
  }

  static String policyMessage(PasswordPolicyException e) {
    return "password refused: " + String.join("; ", e.violations());
  }

  // ---------------------------------------------------------------------------------------------------- user

  /** {@code auth user ...}. */
  @Command(
      name = "user",
      mixinStandardHelpOptions = true,
      description = "Manage users: add, list, disable, enable, delete, set-roles, reset-password, unlock, reset-2fa.",
      subcommands = {
        User.Add.class,
        User.ListUsers.class,
        User.Disable.class,
        User.Enable.class,
        User.Delete.class,
        User.SetRoles.class,
        User.ResetPassword.class,
        User.Unlock.class,
        User.ResetTwoFactor.class
      })
  static final class User implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(spec.commandLine(), "a user subcommand is required");
    }

    /** A command that changes one named user. */
    abstract static class Change implements Callable<Integer> {
      @Mixin Target target;
      @Mixin Audit audit;

      @Parameters(index = "0", paramLabel = "NAME", description = "User name (case-insensitive).")
      String name;

      abstract void apply(UserAdministration admin) throws AuthException;

      abstract String done();

      @Override
      public Integer call() throws AuthException, AuditException {
        change(target, audit, false, this::apply);
        target.out().println(done());
        return SecureYeomanCli.EXIT_OK;
      }
    }

    /** {@code auth user add}. */
    @Command(name = "add", mixinStandardHelpOptions = true, description = "Create a user.")
    static final class Add implements Callable<Integer> {
      @Mixin Target target;
      @Mixin Audit audit;

      @Parameters(index = "0", paramLabel = "NAME", description = "1-64 chars of [A-Za-z0-9._@-].")
      String name;

      @Option(names = "--role", paramLabel = "ROLE", description = "A role (repeatable); 'user' is always added.")
      List<String> roles = List.of();

      @ArgGroup(exclusive = true)
      PasswordSource passwordSource;

      @Override
      public Integer call() throws AuthException, AuditException {
        target.requireNewOrAuthDb(); // before a password is read or anything opened
        char[] pw = newPassword(passwordSource, "password for " + name);
        String[] id = new String[1];
        try {
          change(target, audit, true, admin -> id[0] = admin.createUser(name, pw, new LinkedHashSet<>(roles)));
        } catch (PasswordPolicyException e) {
          throw new IllegalArgumentException(policyMessage(e));
        } finally {
          Arrays.fill(pw, '\0');
        }
        target.out().println("created user " + name + " (id " + id[0] + ")");
        return SecureYeomanCli.EXIT_OK;
      }
    }

    /** {@code auth user list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List users (tab-separated, with a header).")
    static final class ListUsers implements Callable<Integer> {
      @Mixin Target target;

      @Override
      public Integer call() throws AuthException {
        read(
            target,
            admin -> {
              PrintWriter out = target.out();
              out.println("USER\tROLES\tSTATUS\t2FA\tPASSWORD\tCREATED");
              for (UserInfo u : admin.listUsers()) {
                out.println(
                    u.username() + "\t" + String.join(",", new TreeSet<>(u.roles())) + "\t"
                        + (u.enabled() ? "enabled" : "disabled") + "\t"
                        + (u.secondFactorLocked() ? "locked" : u.totpEnabled() ? "on" : "off") + "\t"
                        + (u.mustChangePassword() ? "must-change" : "ok") + "\t" + u.createdAt());
              }
            });
        return SecureYeomanCli.EXIT_OK;
      }
    }

    /** {@code auth user disable}. */
    @Command(
        name = "disable",
        mixinStandardHelpOptions = true,
        description = "Disable a user: logins fail, every session and token is revoked.")
    static final class Disable extends Change {
      @Override
      void apply(UserAdministration admin) throws AuthException {
        admin.disableUser(name);
      }

      @Override
      String done() {
        return "disabled user " + name + "; every session and token revoked";
      }
    }

    /** {@code auth user enable}. */
    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled user.")
    static final class Enable extends Change {
      @Override
      void apply(UserAdministration admin) throws AuthException {
        admin.enableUser(name);
      }

      @Override
      String done() {
        return "enabled user " + name;
      }
    }

    /** {@code auth user delete}. */
    @Command(
        name = "delete",
        mixinStandardHelpOptions = true,
        description = "Delete a user with their sessions, tokens and 2FA state.")
    static final class Delete extends Change {
      @Override
      void apply(UserAdministration admin) throws AuthException {
        admin.deleteUser(name);
      }

      @Override
      String done() {
        return "deleted user " + name;
      }
    }

    /** {@code auth user set-roles}. */
    @Command(
        name = "set-roles",
        mixinStandardHelpOptions = true,
        description = "Replace a user's roles ('user' is always kept); tokens with the old roles are revoked.")
    static final class SetRoles extends Change {
      @Option(names = "--role", required = true, paramLabel = "ROLE", description = "A role (repeatable).")
      List<String> roles;

      @Override
      void apply(UserAdministration admin) throws AuthException {
        admin.setRoles(name, new LinkedHashSet<>(roles));
      }

      @Override
      String done() {
        Set<String> all = new TreeSet<>(roles);
        all.add("user");
        return "roles of " + name + ": " + String.join(",", all) + "; earlier tokens revoked";
      }
    }

    /** {@code auth user reset-password}. */
    @Command(
        name = "reset-password",
        mixinStandardHelpOptions = true,
        description = {
          "Set a temporary password; the user must choose a new one at the next login.",
          "Every session and token of the user is revoked."
        })
    static final class ResetPassword extends Change {
      @ArgGroup(exclusive = true)
      PasswordSource passwordSource;

      private char[] password;

      @Override
      public Integer call() throws AuthException, AuditException {
        target.requireDb();
        password = newPassword(passwordSource, "temporary password for " + name);
        try {
          return super.call();
        } catch (PasswordPolicyException e) {
          throw new IllegalArgumentException(policyMessage(e));
        } finally {
          Arrays.fill(password, '\0');
        }
      }

      @Override
      void apply(UserAdministration admin) throws AuthException {
        admin.resetPassword(name, password);
      }

      @Override
      String done() {
        return "password of " + name + " reset; a new one must be chosen at the next login";
      }
    }

    /** {@code auth user unlock}. */
    @Command(
        name = "unlock",
        mixinStandardHelpOptions = true,
        description = "Clear a user's second-factor failure count and lock.")
    static final class Unlock extends Change {
      @Override
      void apply(UserAdministration admin) throws AuthException {
        admin.unlockSecondFactor(name);
      }

      @Override
      String done() {
        return "second factor of " + name + " unlocked";
      }
    }

    /** {@code auth user reset-2fa}. */
    @Command(
        name = "reset-2fa",
        mixinStandardHelpOptions = true,
        description = "Remove a user's TOTP secret and recovery codes (lost device); every session is revoked.")
    static final class ResetTwoFactor extends Change {
      @Override
      void apply(UserAdministration admin) throws AuthException {
        admin.resetSecondFactor(name);
      }

      @Override
      String done() {
        return "two-factor authentication of " + name + " removed; every session and token revoked";
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------- sessions

  /** {@code auth sessions ...}. */
  @Command(
      name = "sessions",
      mixinStandardHelpOptions = true,
      description = "List and revoke sessions.",
      subcommands = {Sessions.ListSessions.class, Sessions.Revoke.class})
  static final class Sessions implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(spec.commandLine(), "a sessions subcommand is required: list, revoke");
    }

    /** {@code auth sessions list}. */
    @Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "List active sessions, newest first (tab-separated, with a header).")
    static final class ListSessions implements Callable<Integer> {
      @Mixin Target target;

      @Option(names = "--user", paramLabel = "NAME", description = "Only this user's sessions.")
      String user;

      @Option(names = "--all", description = "Also revoked and expired sessions.")
      boolean all;

      @Override
      public Integer call() throws AuthException {
        read(
            target,
            admin -> {
              PrintWriter out = target.out();
              out.println("SESSION\tUSER\tCREATED\tEXPIRES\tLAST_USED\tCLIENT\tSTATUS");
              Instant now = Instant.now();
              for (SessionInfo s : admin.listSessions(Optional.ofNullable(user), all)) {
                String status =
                    s.revokedAt().isPresent()
                        ? "revoked:" + s.revokeReason().orElse("-")
                        : s.activeAt(now) ? "active" : "expired";
                out.println(
                    s.id() + "\t" + s.username() + "\t" + s.createdAt() + "\t" + s.expiresAt() + "\t"
                        + s.lastUsedAt().map(Instant::toString).orElse("-") + "\t"
                        + SecureYeomanCli.printable(s.clientAddress().orElse("-")) + "\t" + status);
              }
            });
        return SecureYeomanCli.EXIT_OK;
      }
    }

    /** {@code auth sessions revoke}. */
    @Command(
        name = "revoke",
        mixinStandardHelpOptions = true,
        preprocessor = Revoke.DashLedSession.class,
        description = {
          "Revoke one session (by id) or every session of a user (--user).",
          "An id that starts with '-' is taken as the SESSION as it is; '--' before it works as well."
        })
    static final class Revoke implements Callable<Integer> {
      /**
       * Session ids are base64url, so one in 64 starts with '-' (and may start like {@code -h} or {@code -V}): a word
       * that starts with '-' but names none of this command's options is the SESSION, not an unknown option.
       */
      static final class DashLedSession implements CommandLine.IParameterPreprocessor {
        @Override
        public boolean preprocess(
            Stack<String> args, CommandLine.Model.CommandSpec spec, CommandLine.Model.ArgSpec argSpec,
            Map<String, Object> info) {
          if (argSpec != null) {
            return false;
          }
          // the stack's top is the next word: in command-line order, the first dash-led word that is neither an option
          // nor an option's value moves behind '--', where picocli reads it as the positional SESSION
          List<String> words = new ArrayList<>(args);
          Collections.reverse(words);
          List<String> rest = new ArrayList<>();
          String session = null;
          for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("--")) {
              rest.addAll(words.subList(i, words.size()));
              break;
            }
            int eq = w.indexOf('=');
            CommandLine.Model.OptionSpec option = spec.optionsMap().get(eq > 0 ? w.substring(0, eq) : w);
            if (option != null) {
              rest.add(w);
              if (eq < 0 && option.arity().min() > 0 && i + 1 < words.size()) {
                rest.add(words.get(++i));
              }
            } else if (session == null && w.length() > 1 && w.startsWith("-")) {
              session = w;
            } else {
              rest.add(w);
            }
          }
          if (session != null) {
            if (!rest.contains("--")) {
              rest.add("--");
            }
            rest.add(session);
            args.clear();
            for (int i = rest.size() - 1; i >= 0; i--) {
              args.push(rest.get(i));
            }
          }
          return false;
        }
      }

      @Mixin Target target;
      @Mixin Audit audit;

      @Parameters(index = "0", arity = "0..1", paramLabel = "SESSION", description = "Session id.")
      String sessionId;

      @Option(names = "--user", paramLabel = "NAME", description = "Revoke every session and token of this user.")
      String user;

      @Override
      public Integer call() throws AuthException, AuditException {
        if ((sessionId == null) == (user == null)) {
          throw new CliUsageException("give either a SESSION id or --user NAME");
        }
        boolean[] revoked = new boolean[1];
        change(
            target,
            audit,
            false,
            admin -> {
              if (user != null) {
                admin.revokeSessions(user);
                revoked[0] = true;
              } else {
                revoked[0] = admin.revokeSession(sessionId);
              }
            });
        if (!revoked[0]) {
          throw new IllegalArgumentException("no active session " + SecureYeomanCli.printable(sessionId));
        }
        target.out().println(
            user != null ? "revoked every session and token of " + user : "revoked session " + sessionId);
        return SecureYeomanCli.EXIT_OK;
      }
    }
  }
}
