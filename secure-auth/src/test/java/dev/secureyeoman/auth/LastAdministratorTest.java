package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The last enabled administrator cannot be disabled, deleted or demoted; other users are never held hostage. */
class LastAdministratorTest {
  @TempDir Path dir;

  @Test
  void lastEnabledAdmin_disableDeleteDemote_refusedTyped_nothingChangedNorAudited() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createAdmin(s);
      AuthFixture.createBob(s);
      UserAdministration ops = s.operator("ops");
      int events = f.audit.events().size();
      assertThrows(LastAdministratorException.class, () -> ops.disableUser("admin"));
      assertThrows(LastAdministratorException.class, () -> ops.deleteUser("ADMIN"));
      assertThrows(LastAdministratorException.class, () -> ops.setRoles("admin", Set.of("ops")));
      assertEquals(events, f.audit.events().size());
      UserInfo admin = ops.findUser("admin").orElseThrow();
      assertTrue(admin.enabled());
      assertEquals(Set.of("admin", "user"), admin.roles());
      // with a second enabled administrator the same changes go through
      ops.setRoles("bob", Set.of(Principal.ROLE_ADMIN));
      ops.setRoles("admin", Set.of());
      assertThrows(LastAdministratorException.class, () -> ops.disableUser("bob"));
      ops.setRoles("admin", Set.of(Principal.ROLE_ADMIN));
      ops.disableUser("bob");
      // a disabled administrator does not count: the enabled one is now the last
      assertThrows(LastAdministratorException.class, () -> ops.deleteUser("admin"));
      ops.deleteUser("bob");
    }
  }

  @Test
  void noAdministratorAtAll_otherUsersStillManageable() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      s.createUser("carol", USER_PASSWORD.toCharArray(), Set.of());
      UserAdministration ops = s.operator("ops");
      // before the fix every one of these was refused because no administrator existed to begin with
      ops.disableUser("bob");
      ops.setRoles("carol", Set.of("ops"));
      ops.deleteUser("bob");
      assertFalse(ops.findUser("bob").isPresent());
      assertEquals(Set.of("ops", "user"), ops.findUser("carol").orElseThrow().roles());
    }
  }
}
