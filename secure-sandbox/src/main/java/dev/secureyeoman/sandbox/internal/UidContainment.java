package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.AppliedLimit;
import dev.secureyeoman.sandbox.ResourceLimit;
import dev.secureyeoman.sandbox.SandboxException;
import dev.secureyeoman.sandbox.Teardown;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run with neither a cgroup nor a pid namespace ({@link Teardown#PROCESS_TREE}) but with a host uid of its own: the
 * teardown also kills every process of that uid ({@link UidReaper}), so a process that left the tree ({@code setsid},
 * double fork) cannot outlive the run and meet the next run that gets the uid.
 */
final class UidContainment implements Containment {
  private static final Logger LOG = LoggerFactory.getLogger(UidContainment.class);

  private final Containment inner;
  private final int uid;

  private UidContainment(Containment inner, int uid) {
    this.inner = inner;
    this.uid = uid;
  }

  /**
   * Adds the uid teardown where the containment alone is best effort.
   *
   * @param inner the run's containment
   * @param ownUid the run's own pool uid
   * @return the containment to use
   */
  static Containment wrap(Containment inner, int ownUid) {
    return inner.teardown() == Teardown.PROCESS_TREE ? new UidContainment(inner, ownUid) : inner;
  }

  @Override
  public List<Path> joinFiles() {
    return inner.joinFiles();
  }

  @Override
  public Teardown teardown() {
    return Teardown.RUN_UID;
  }

  @Override
  public List<AppliedLimit> appliedLimits() {
    return inner.appliedLimits();
  }

  @Override
  public Map<ResourceLimit, String> unappliedLimits() {
    return inner.unappliedLimits();
  }

  @Override
  public void killAll() {
    inner.killAll();
    try {
      UidReaper.killAll(uid);
    } catch (SandboxException e) {
      LOG.warn("killing the run's uid {} did not complete yet: {}", uid, e.getMessage());
    }
  }

  @Override
  public int ensureEmpty() throws SandboxException {
    return inner.ensureEmpty() + UidReaper.killAll(uid);
  }

  @Override
  public OptionalLong cpuUsageNanos() {
    return inner.cpuUsageNanos();
  }

  @Override
  public int oomKills() {
    return inner.oomKills();
  }

  @Override
  public void close() {
    inner.close();
  }
}
