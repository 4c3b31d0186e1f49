package dev.secureyeoman.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jwt.SignedJWT;
import dev.secureyeoman.auth.AuthDataSources;
import dev.secureyeoman.auth.AuthFixture;
import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthStorageException;
import dev.secureyeoman.auth.LoginResult;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaMigrationTest {
  @TempDir Path dir;

  @Test
  void version1Database_migratedInPlace_usersKeysAndSessionsKept() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    String hash = new Argon2idPasswordHasher(AuthFixture.CHEAP, 1, new SecureRandom()).hash(
        AuthFixture.USER_PASSWORD.toCharArray());
    try (Connection c = f.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE auth_schema(version INTEGER NOT NULL)");
      for (String sql : SqliteDialect.V1) {
        st.execute(sql);
      }
      st.execute("INSERT INTO auth_schema(version) VALUES (1)");
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO users(id, username, username_key, password_hash, roles, token_version, created_at, updated_at)"
              + " VALUES ('u1', 'Bob', 'bob', ?, 'user', 3, 1, 1)")) {
        ps.setString(1, hash);
        ps.executeUpdate();
      }
      st.execute("INSERT INTO signing_keys(kid, created_at) VALUES ('kid-from-v1', 1)");
    }
    try (AuthService s = f.open()) {
      LoginResult.Authenticated a = AuthFixture.login(s, "bob", AuthFixture.USER_PASSWORD, false);
      assertEquals("kid-from-v1", SignedJWT.parse(a.tokens().accessToken()).getHeader().getKeyID());
      assertEquals("Bob", s.authenticate(a.tokens().accessToken()).username());
      s.logoutEverywhere(a.principal());
    }
    try (Connection c = f.dataSource().getConnection();
        Statement st = c.createStatement()) {
      assertEquals(2, one(st, "SELECT max(version) FROM auth_schema"));
      assertEquals(1, one(st, "SELECT generation FROM signing_keys WHERE kid = 'kid-from-v1'"));
      assertEquals(4, one(st, "SELECT token_version FROM users WHERE id = 'u1'"));
      assertEquals(1, one(st, "SELECT count(*) FROM revocations WHERE kind = 'user' AND token_version = 4"));
      assertEquals(0, one(st, "SELECT disabled + must_change_password + mfa_failures FROM users"));
    }
  }

  private static long one(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void newerSchema_refused_withoutTouchingIt() throws Exception {
    Path db = dir.resolve("auth.db");
    try (Connection c = AuthDataSources.sqlite(db).getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE auth_schema(version INTEGER NOT NULL)");
      st.execute("INSERT INTO auth_schema(version) VALUES (" + (Schema.VERSION + 1) + ")");
    }
    AuthFixture f = new AuthFixture(dir);
    assertThrows(AuthStorageException.class, f::open);
    try (Connection c = AuthDataSources.sqlite(db).getConnection();
        Statement st = c.createStatement()) {
      assertEquals(0, one(st, "SELECT count(*) FROM sqlite_master WHERE name = 'users'"));
    }
  }
}
