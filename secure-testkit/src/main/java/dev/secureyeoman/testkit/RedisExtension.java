package dev.secureyeoman.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 access to Redis: each {@link RedisServer} parameter gets its own server (a start takes milliseconds), closed
 * when the scope that asked for it ends (the test method; the class for a {@code @BeforeAll} or constructor
 * parameter). The test owns it: it may stop, kill and restart it.
 *
 * <pre>{@code
 * @ExtendWith(RedisExtension.class)
 * class LoginThrottleRedisTest {
 *   @Test
 *   void login_redisDown_failsClosed(RedisServer redis) {
 *     ...
 *     redis.stop();
 *     ...
 *   }
 * }
 * }</pre>
 *
 * Missing binaries fail the test with {@link TestkitException.Reason#MISSING_BINARY}; they never skip it.
 */
public final class RedisExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RedisExtension.class);

  /** Creates the extension (JUnit does, through {@code @ExtendWith}). */
  public RedisExtension() {}

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RedisServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    RedisServer server = RedisServer.start();
    // JUnit closes AutoCloseable store values when the scope ends
    context.getStore(NAMESPACE).put(new Object(), server);
    return server;
  }
}
