package dev.secureyeoman.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@link TestServer} life cycle, the same for every server. */
class TestServerContractTest {
  static Stream<Arguments> servers() {
    return Stream.of(
        Arguments.of(Named.<Supplier<TestServer>>of("PostgreSQL", PostgresServer::start)),
        Arguments.of(Named.<Supplier<TestServer>>of("Redis", RedisServer::start)));
  }

  @ParameterizedTest
  @MethodSource("servers")
  void lifeCycle_stopKillRestartClose_asDocumented(Supplier<TestServer> start) {
    TestServer server = start.get();
    Path dir = server.directory();
    int port = server.port();
    assertTrue(server.isRunning());
    assertTrue(Files.isRegularFile(server.logFile()));

    long first = server.pid();
    server.stop();
    assertFalse(server.isRunning());
    assertThrows(IllegalStateException.class, server::pid);
    Leftovers.assertGone(List.of(first));

    server.restart();
    assertEquals(port, server.port());
    List<Long> tree = Leftovers.tree(server.pid());
    server.kill();
    Leftovers.assertGone(tree);

    server.restart();
    long last = server.pid();
    server.close();
    Leftovers.assertGone(List.of(last));
    assertFalse(Files.exists(dir));
    assertThrows(IllegalStateException.class, server::restart);
    assertThrows(IllegalStateException.class, server::stop);
    assertThrows(IllegalStateException.class, server::kill);
    server.close();
  }
}
