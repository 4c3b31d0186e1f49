package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.SandboxException;
import java.util.Optional;
import java.util.function.IntPredicate;
import org.jspecify.annotations.Nullable;

/**
 * Which host identity runs get: the JVM's own (non-root hosts), one fixed identity ({@code runAs}), or a uid of their
 * own from an {@link IdentityPool} (the default on a root host).
 */
public final class Identities {
  private final Optional<Identity> fixed;
  private final Optional<IdentityPool> pool;

  private Identities(Optional<Identity> fixed, Optional<IdentityPool> pool) {
    this.fixed = fixed;
    this.pool = pool;
  }

  /**
   * Runs keep the JVM's identity.
   *
   * @return the choice
   */
  public static Identities caller() {
    return new Identities(Optional.empty(), Optional.empty());
  }

  /**
   * Every run switches to the same identity.
   *
   * @param identity the identity
   * @return the choice
   */
  public static Identities fixed(Identity identity) {
    return new Identities(Optional.of(identity), Optional.empty());
  }

  /**
   * Every run gets a uid of its own.
   *
   * @param pool the pool
   * @return the choice
   */
  public static Identities pool(IdentityPool pool) {
    return new Identities(Optional.empty(), Optional.of(pool));
  }

  /**
   * Tells whether runs switch identity (and so need setpriv).
   *
   * @return true for fixed and pool identities
   */
  public boolean switches() {
    return fixed.isPresent() || pool.isPresent();
  }

  /**
   * The pool, when runs get their own uid.
   *
   * @return the pool
   */
  public Optional<IdentityPool> pool() {
    return pool;
  }

  /**
   * The fixed identity, when every run shares one.
   *
   * @return the identity
   */
  public Optional<Identity> fixedIdentity() {
    return fixed;
  }

  /**
   * Tells whether a uid belongs to the pool.
   *
   * @return the predicate (always false without a pool)
   */
  public IntPredicate poolMember() {
    return uid -> pool.map(p -> p.contains(uid)).orElse(false);
  }

  /**
   * Takes the identity of one run.
   *
   * @return the lease
   * @throws SandboxException when the pool has no free uid
   */
  public Lease acquire() throws SandboxException {
    if (pool.isPresent()) {
      IdentityPool.Lease l = pool.get().acquire();
      return new Lease(Optional.of(l.identity()), l);
    }
    return new Lease(fixed, null);
  }

  @Override
  public String toString() {
    return pool.map(IdentityPool::toString)
        .orElseGet(() -> fixed.map(i -> "fixed " + i.uid() + ":" + i.gid()).orElse("caller"));
  }

  /** The identity of one run. */
  public static final class Lease {
    private final Optional<Identity> identity;
    private final IdentityPool.@Nullable Lease poolLease;

    private Lease(Optional<Identity> identity, IdentityPool.@Nullable Lease poolLease) {
      this.identity = identity;
      this.poolLease = poolLease;
    }

    /**
     * The identity to switch to.
     *
     * @return the identity, empty to keep the JVM's
     */
    public Optional<Identity> identity() {
      return identity;
    }

    /**
     * Releases a pool uid; when the run's teardown was not confirmed the uid stays reserved.
     *
     * @param tornDown whether no process of the run is alive
     */
    public void release(boolean tornDown) {
      if (poolLease == null) {
        return;
      }
      if (tornDown) {
        poolLease.close();
      } else {
        poolLease.quarantine();
      }
    }
  }
}
