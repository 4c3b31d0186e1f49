/**
 * The kill switch: "pause all bot activity", persisted in a file so it survives restarts and is shared by every process
 * that points at the same file (the HTTP gateway, the chat bots, an operator's CLI).
 *
 * <p>{@link dev.secureyeoman.core.killswitch.KillSwitch} is in core, not in the web module, because hosts that serve no
 * HTTP must honour it too. Auditing is a {@link dev.secureyeoman.core.killswitch.KillSwitchListener} the host wires
 * (core cannot depend on the audit module); it runs before the new state is written, so a change that could not be
 * audited does not happen.
 */
@NullMarked
package dev.secureyeoman.core.killswitch;

import org.jspecify.annotations.NullMarked;
