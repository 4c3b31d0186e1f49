package dev.secureyeoman.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresExtensionTest {
  private static PostgresDatabase classDatabase;
  private static String firstTestDatabase;

  @BeforeAll
  static void classScoped(PostgresDatabase db) {
    classDatabase = db;
  }

  @AfterAll
  static void classDatabaseStillThere() {
    // dropped only after this method, when the class scope ends
    assertTrue(PostgresServer.shared().databaseExists(classDatabase.name()));
  }

  @Test
  @Order(1)
  void resolve_twoDatabaseParameters_twoFreshDatabasesOnTheSharedServer(
      PostgresDatabase a, PostgresDatabase b, PostgresServer server) throws Exception {
    assertNotEquals(a.name(), b.name());
    assertSame(PostgresServer.shared(), server);
    assertSame(server, a.server());
    try (Connection c = DriverManager.getConnection(a.jdbcUrl(), a.user(), a.password());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_database()")) {
      assertTrue(rs.next());
      assertEquals(a.name(), rs.getString(1));
    }
    firstTestDatabase = a.name();
  }

  @Test
  @Order(2)
  void resolve_afterPreviousTest_itsDatabaseWasDropped(PostgresServer server) {
    assertFalse(server.databaseExists(firstTestDatabase));
    assertTrue(server.databaseExists(classDatabase.name()));
  }

  @Test
  @Order(3)
  void shared_lifeCycleMethods_refusedBecauseOtherTestsUseIt(PostgresServer server) {
    assertThrows(IllegalStateException.class, server::stop);
    assertThrows(IllegalStateException.class, server::kill);
    assertThrows(IllegalStateException.class, server::restart);
    IllegalStateException e = assertThrows(IllegalStateException.class, server::close);
    assertTrue(e.getMessage().contains("PostgresServer.start()"), e.getMessage());
    assertTrue(server.isRunning());
    assertTrue(server.toString().contains("shared"));
  }
}
