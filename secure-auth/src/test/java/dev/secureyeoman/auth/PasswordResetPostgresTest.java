package dev.secureyeoman.auth;

import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every test of {@link PasswordResetTest} on PostgreSQL (one fresh database per test, the same assertions). */
@ExtendWith(PostgresExtension.class)
@EnabledIf(value = "dev.secureyeoman.auth.PostgresRun#available", disabledReason = PostgresRun.MISSING)
class PasswordResetPostgresTest extends PasswordResetTest {
  private PostgresRun pg;

  @BeforeEach
  void database(PostgresDatabase db) {
    pg = new PostgresRun(db);
  }

  @AfterEach
  void closePools() {
    pg.close();
  }

  @Override
  AuthFixture newFixture(Path dir, AuthSettings settings) {
    return pg.fixture(dir, settings);
  }
}
