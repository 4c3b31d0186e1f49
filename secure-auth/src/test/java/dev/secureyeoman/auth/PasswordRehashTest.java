package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordRehashTest {
  @TempDir Path dir;

  private static String storedHash(AuthFixture f) throws Exception {
    try (Connection c = f.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT password_hash FROM users WHERE username_key = 'bob'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void login_afterParametersRose_rehashes_andNotWhenUnchanged() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      AuthFixture.login(s, "bob", USER_PASSWORD, false);
    }
    String before = storedHash(f);
    assertTrue(before.startsWith("$argon2id$v=19$m=64,t=1,p=1$"), before);
    assertEquals(0, f.audit.named("auth.password.rehashed").size());
    f.settings = AuthSettings.builder().hashParameters(new PasswordHashParameters(128, 2, 1, 16, 32)).build();
    try (AuthService s = f.open()) {
      AuthFixture.login(s, "bob", USER_PASSWORD, false);
      String after = storedHash(f);
      assertTrue(after.startsWith("$argon2id$v=19$m=128,t=2,p=1$"), after);
      assertEquals(1, f.audit.named("auth.password.rehashed").size());
      AuthFixture.login(s, "bob", USER_PASSWORD, false);
      assertEquals(1, f.audit.named("auth.password.rehashed").size());
    }
  }
}
