package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.integrations.InboundMessageSink;
import dev.secureyeoman.integrations.UnifiedMessage;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The host's inbound sink in tests: a queue the test waits on (bounded waits, no sleeps). */
final class Inbox implements InboundMessageSink {
  final BlockingQueue<UnifiedMessage> messages = new LinkedBlockingQueue<>();

  @Override
  public void accept(UnifiedMessage message) {
    messages.add(message);
  }

  UnifiedMessage next() throws InterruptedException {
    UnifiedMessage m = messages.poll(30, TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("no inbound message within 30 s");
    }
    return m;
  }
}
