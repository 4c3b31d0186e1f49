package dev.secureyeoman.integrations.adapters.internal;

/**
 * Per-code-point escapes for outbound text, so that text a user controls (echoed by an AI reply) is shown literally:
 * it cannot mention everyone, a channel or a user, and cannot inject the platform's markup.
 */
public final class Escapes {
  private Escapes() {}

  /**
   * Slack: {@code &}, {@code <}, {@code >} become entities (Slack's documented escaping), so {@code <!everyone>},
   * {@code <!channel>}, {@code <@U123>} and {@code <http://x|label>} stay text. Messages are also sent with
   * {@code mrkdwn: false}, so {@code *bold*} and friends are not interpreted.
   *
   * @param cp the code point
   * @return its escaped form
   */
  public static String slack(int cp) {
    return switch (cp) {
      case '&' -> "&amp;";
      case '<' -> "&lt;";
      case '>' -> "&gt;";
      default -> Character.toString(cp);
    };
  }

  /**
   * Discord: markdown and mention syntax are backslash-escaped and {@code @} is followed by a zero-width space (so
   * {@code @everyone} and {@code @here} are inert even where escaping is not honoured). Messages are also sent with
   * {@code allowed_mentions: {parse: []}}, the platform's own guarantee that nobody is pinged.
   *
   * @param cp the code point
   * @return its escaped form
   */
  public static String discord(int cp) {
    return switch (cp) {
      case '\\', '*', '_', '~', '`', '|', '>', '<', '#', '-', '[', ']', '(', ')' -> "\\" + (char) cp;
      case '@' -> "@\u200b";
      default -> Character.toString(cp);
    };
  }

  /**
   * Telegram: messages are sent without {@code parse_mode}, so no markup is interpreted; {@code @} is followed by a word
   * joiner (U+2060) so {@code @username} in user text does not become a mention that notifies someone.
   *
   * @param cp the code point
   * @return its escaped form
   */
  public static String telegram(int cp) {
    return cp == '@' ? "@\u2060" : Character.toString(cp);
  }
}
