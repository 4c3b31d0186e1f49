package dev.secureyeoman.integrations.conversation;

import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.conversation.internal.InMemoryConversationStore;
import java.time.Instant;

/**
 * Where thread windows live. The {@link ConversationTracker} passes its {@link ConversationLimits} and the current time
 * with every call; a store applies them: windows trimmed by whole turns, threads idle since before
 * {@code now - idleTimeout} treated as empty and deleted, at most {@code maxLiveThreads} threads (which ones are evicted
 * beyond that is the store's policy: the in-memory store uses Caffeine's W-TinyLFU, which keeps established threads
 * when a flood of new ones arrives; the SQLite store evicts the least recently active).
 *
 * <p>Implementations: {@link #inMemory()} (default; lost on restart) and {@link SqliteConversationStore} (message
 * bodies sealed with core's {@code SecretStore}, retention, restart-safe). Implementations must be thread-safe and make
 * {@link #append} atomic per thread: concurrent appends to one thread never lose a turn or break the window bounds.
 */
public interface ConversationStore extends AutoCloseable {

  /**
   * A new in-memory store (Caffeine-backed, bounded by live threads and by a text budget of 64 Mi characters).
   *
   * @return the store
   */
  static ConversationStore inMemory() {
    return new InMemoryConversationStore();
  }

  /**
   * A new in-memory store with another text budget. Besides {@link ConversationLimits#maxLiveThreads()}, the store
   * holds at most {@code maxStoredChars} characters of turn text and authors (default 64 Mi, i.e. 64 to 128 MiB of
   * heap): a flood of threads opened by maximum-size messages evicts (least frequently used first) instead of
   * exhausting the heap.
   *
   * @param maxStoredChars 1 Mi .. 2^40 characters
   * @return the store
   */
  static ConversationStore inMemory(long maxStoredChars) {
    return new InMemoryConversationStore(maxStoredChars);
  }

  /**
   * Appends a turn to a thread and trims its window.
   *
   * @param key the thread
   * @param turn the turn
   * @param limits the bounds to apply
   * @param now the current time (activity time of the thread)
   * @throws ConversationException if the store failed (nothing was written then)
   */
  void append(ThreadKey key, Turn turn, ConversationLimits limits, Instant now) throws ConversationException;

  /**
   * Appends a turn and returns the thread's window as it stood right after that append, ending with {@code turn}: a
   * turn another writer (thread, process) appends later is not in it. {@link ConversationTracker#exchange} hands this
   * window to the AI, so the model always answers the message it was called for.
   *
   * <p>The built-in stores do both steps atomically. This default (for other stores) appends, loads, and cuts the
   * window after the last turn equal to {@code turn}; a concurrent writer can then still evict older turns early.
   *
   * @param key the thread
   * @param turn the turn
   * @param limits the bounds to apply
   * @param now the current time
   * @return the window ending with {@code turn}
   * @throws ConversationException if the store failed
   */
  default ConversationContext appendAndLoad(ThreadKey key, Turn turn, ConversationLimits limits, Instant now)
      throws ConversationException {
    append(key, turn, limits, now);
    java.util.List<Turn> turns = load(key, limits, now).turns();
    int last = turns.lastIndexOf(turn);
    java.util.List<Turn> window = last < 0 ? java.util.List.of(turn) : turns.subList(0, last + 1);
    int tokens = 0;
    for (Turn t : window) {
      tokens += limits.tokens(t);
    }
    return new ConversationContext(key, window, tokens);
  }

  /**
   * Appends {@code turn} only if the thread still holds {@code after} in its window — the reply to a message is not
   * recorded when the thread was forgotten, expired or restarted while the reply was being produced (it would revive a
   * conversation the user asked to delete, in another process too).
   *
   * <p>The built-in stores check and append atomically; this default (for other stores) checks, then appends.
   *
   * @param key the thread
   * @param after the turn that must still be in the window (the message being answered)
   * @param turn the turn to append
   * @param limits the bounds to apply
   * @param now the current time
   * @return whether the turn was appended
   * @throws ConversationException if the store failed
   */
  default boolean appendAfter(ThreadKey key, Turn after, Turn turn, ConversationLimits limits, Instant now)
      throws ConversationException {
    if (!load(key, limits, now).turns().contains(after)) {
      return false;
    }
    append(key, turn, limits, now);
    return true;
  }

  /**
   * Returns a thread's window (empty for unknown or idle-expired threads, which are then deleted).
   *
   * @param key the thread
   * @param limits the bounds (idle timeout)
   * @param now the current time
   * @return the context, oldest turn first
   * @throws ConversationException if the store failed or a stored turn is not authentic
   */
  ConversationContext load(ThreadKey key, ConversationLimits limits, Instant now) throws ConversationException;

  /**
   * Deletes a thread.
   *
   * @param key the thread
   * @return whether it existed
   * @throws ConversationException if the store failed
   */
  boolean delete(ThreadKey key) throws ConversationException;

  /**
   * Deletes every thread idle since before {@code now - limits.idleTimeout()}, and whatever else the store's own
   * policies require (retention for the SQLite store).
   *
   * @param limits the bounds
   * @param now the current time
   * @return how many threads were deleted
   * @throws ConversationException if the store failed
   */
  int maintain(ConversationLimits limits, Instant now) throws ConversationException;

  /**
   * Returns the number of stored threads (idle ones not yet swept included).
   *
   * @return the count
   * @throws ConversationException if the store failed
   */
  long threadCount() throws ConversationException;

  /**
   * Releases resources.
   *
   * @throws ConversationException if closing failed
   */
  @Override
  void close() throws ConversationException;
}
