package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.SandboxException;

/**
 * Restrictions applied to the run's own spawning thread just before the process starts (inherited by the process and
 * everything it starts). Runs on a dedicated platform thread that ends with the run.
 */
@FunctionalInterface
public interface ThreadSetup {

  /** Applies nothing. */
  ThreadSetup NONE = () -> {};

  /**
   * Applies the restrictions to the calling thread.
   *
   * @throws SandboxException when the kernel refused them (nothing is started then)
   */
  void apply() throws SandboxException;
}
