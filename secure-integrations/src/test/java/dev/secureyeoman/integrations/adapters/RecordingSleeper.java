package dev.secureyeoman.integrations.adapters;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A sleeper that records the waits and returns at once (tests never sleep). */
public final class RecordingSleeper implements AdapterOptions.Sleeper {
  /** The waits asked for. */
  public final List<Duration> waits = new CopyOnWriteArrayList<>();

  @Override
  public void sleep(Duration duration) {
    waits.add(duration);
  }
}
