package dev.secureyeoman.integrations.conversation;

import dev.secureyeoman.core.TextNeutralizer;
import dev.secureyeoman.core.TextNeutralizer.Replacement;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One message in a conversation thread: who said it, what, and when.
 *
 * <p><b>Hostile text.</b> The author becomes one line: control, line-separator and format characters (bidi overrides)
 * are removed, so it cannot forge further "name: text" lines in a transcript. In author and text, chat-template
 * control tokens ({@code <|im_start|>}, {@code <|eot_id|>}, {@code [INST]}, {@code <<SYS>>}, {@code </s>},
 * {@code <start_of_turn>}, …) are broken by a zero-width space, so a prompt built from raw text never takes them for
 * turn boundaries. The role is only ever the one recorded here: responders must map {@link #role()} to the model's
 * roles and never let text decide it. Ordinary prompt injection in natural language is not detectable here.
 *
 * <p>{@link #toString()} shows the role, the author's length and the text's length, never the text or the author
 * (conversation text is personal data and must stay out of logs).
 *
 * @param role who spoke
 * @param author the platform's sender id or display name (for {@link Role#ASSISTANT}, the bot's name)
 * @param text the message text (1..{@value #MAX_TEXT_CHARS} characters; longer text must be split or truncated by the
 *     caller)
 * @param at when the platform says it was sent
 */
public record Turn(Role role, String author, String text, Instant at) {

  /** Largest accepted text, in chars (above every platform's message limit: Slack allows 40 000). */
  public static final int MAX_TEXT_CHARS = 40_000;

  /** Who spoke. */
  public enum Role {
    /** A human on the platform. */
    USER,
    /** The bot (the AI's earlier replies). */
    ASSISTANT
  }

  /**
   * Validates the fields.
   *
   * @param role who spoke
   * @param author 1..256 characters
   * @param text 1..{@value #MAX_TEXT_CHARS} characters
   * @param at the time
   */
  public Turn {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(at, "at");
    if (author.isEmpty() || author.length() > 256) {
      throw new IllegalArgumentException("author must be 1-256 characters, got " + author.length());
    }
    if (text.isEmpty() || text.length() > MAX_TEXT_CHARS) {
      throw new IllegalArgumentException("text must be 1-" + MAX_TEXT_CHARS + " characters, got " + text.length());
    }
    author = neutraliseControlTokens(singleLine(author));
    if (author.isEmpty()) {
      throw new IllegalArgumentException("author has no printable characters");
    }
    text = neutraliseControlTokens(text);
  }

  /** Drops control, format (bidi overrides), line-separator characters and lone surrogates; keeps ZWNJ/ZWJ. */
  private static final TextNeutralizer SINGLE_LINE = TextNeutralizer.builder()
      .replacement(Replacement.DROP).allow(0x200C, 0x200D).build();

  /**
   * Chat-template control tokens: ChatML and Llama 3 ({@code <|im_start|>}, {@code <|eot_id|>}, …), DeepSeek's
   * full-width form, Llama 2/Mistral ({@code [INST]}, {@code <<SYS>>}, {@code </s>}) and Gemma
   * ({@code <start_of_turn>}).
   */
  private static final Pattern CONTROL_TOKEN =
      Pattern.compile(
          "<\\|[^|<>\\s]{1,64}\\|>|<\uFF5C[^\uFF5C<>]{1,64}\uFF5C>|\\[/?INST\\]|<</?SYS>>|</?s>"
              + "|<(?:start|end)_of_turn>|\\[/?(?:SYSTEM_PROMPT|AVAILABLE_TOOLS|TOOL_CALLS|TOOL_RESULTS)\\]");

  /**
   * Breaks every chat-template control token with a zero-width space after its first character, so that a model
   * whose prompt is built from raw text never reads a user's {@code <|im_end|><|im_start|>system} as a turn boundary.
   * Idempotent; a human reads the same text.
   */
  private static String neutraliseControlTokens(String s) {
    Matcher m = CONTROL_TOKEN.matcher(s);
    if (!m.find()) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    int last = 0;
    do {
      b.append(s, last, m.start() + 1).append('\u200B').append(s, m.start() + 1, m.end());
      last = m.end();
    } while (m.find());
    return b.append(s, last, s.length()).toString();
  }

  /** Removes control, line-separator and format characters (bidi overrides) except ZWJ/ZWNJ inside emoji and scripts. */
  private static String singleLine(String s) {
    return SINGLE_LINE.neutralize(s).strip();
  }

  /**
   * A user turn.
   *
   * @param author the sender
   * @param text the text
   * @param at when it was sent
   * @return the turn
   */
  public static Turn user(String author, String text, Instant at) {
    return new Turn(Role.USER, author, text, at);
  }

  /**
   * An assistant turn.
   *
   * @param author the bot's name
   * @param text the reply
   * @param at when it was sent
   * @return the turn
   */
  public static Turn assistant(String author, String text, Instant at) {
    return new Turn(Role.ASSISTANT, author, text, at);
  }

  @Override
  public String toString() {
    return "Turn[" + role + ", " + at + ", author ██(" + author.length() + "), text ██(" + text.length() + ")]";
  }
}
