package dev.secureyeoman.integrations.router;

/**
 * Counters of a {@link MessageRouter}.
 *
 * @param received messages accepted by the router
 * @param paused messages acknowledged but dropped because the kill switch was engaged (including replies withheld)
 * @param ignoredBots messages from bots (never answered, to avoid loops)
 * @param replied replies sent
 * @param failed messages whose processing failed (conversation store, AI, send)
 * @param mediaAccepted attachments downloaded and accepted
 * @param mediaRefused attachments the media handler (or resolver) refused
 */
public record RouterStats(
    long received, long paused, long ignoredBots, long replied, long failed, long mediaAccepted, long mediaRefused) {}
