package dev.secureyeoman.core.killswitch;

/**
 * Called with every change before it is persisted, while the switch's lock is held: the host records it in its audit log.
 * If the listener throws, nothing is written and the caller gets {@link KillSwitchException.Reason#LISTENER_FAILED}.
 */
@FunctionalInterface
public interface KillSwitchListener {

  /**
   * Records a change durably (e.g. appends an audit event) before it takes effect.
   *
   * @param change previous and next state
   * @throws Exception to veto the change
   */
  void beforeChange(KillSwitchChange change) throws Exception;
}
