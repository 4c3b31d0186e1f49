package com.example.echo;

import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.IntegrationFactory;

/** The class the descriptor names: creates a fresh {@link EchoIntegration} whenever the host needs one. */
public final class EchoIntegrationFactory implements IntegrationFactory {

  /** Public no-argument constructor, as the SPI requires. */
  public EchoIntegrationFactory() {}

  @Override
  public Integration<?> create() {
    return new EchoIntegration();
  }
}
