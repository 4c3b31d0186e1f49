package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.integrations.Health;
import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.IntegrationContext;
import dev.secureyeoman.integrations.OutboundMessage;
import dev.secureyeoman.integrations.SendReceipt;

/** A built-in (host class path) integration for tests, configured with {@link IntegrationManagerTest.MutableConfig}. */
final class HostIntegration implements Integration<IntegrationManagerTest.MutableConfig> {
  private final String id;

  HostIntegration(String id) {
    this.id = id;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Class<IntegrationManagerTest.MutableConfig> configType() {
    return IntegrationManagerTest.MutableConfig.class;
  }

  @Override
  public void init(IntegrationManagerTest.MutableConfig config, IntegrationContext context) {}

  @Override
  public void start() {}

  @Override
  public void stop() {}

  @Override
  public SendReceipt send(OutboundMessage message) {
    return new SendReceipt("host-1");
  }

  @Override
  public Health health() {
    return Health.up("host");
  }
}
