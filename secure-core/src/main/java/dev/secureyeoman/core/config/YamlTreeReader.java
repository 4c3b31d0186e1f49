package dev.secureyeoman.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.math.BigInteger;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * YAML text to a Jackson tree through SnakeYAML's composer (no object construction, so no custom tags, no arbitrary
 * types). Limits: document size, aliases to collections, nesting depth, total nodes and total scalar characters after
 * alias expansion. Explicit tags ({@code !!timestamp}, {@code !!binary}, {@code !custom}, even {@code !!str}), duplicate
 * keys, merge keys and non-scalar keys are rejected.
 *
 * <p>Error messages carry the source, a position or path and a fixed description of the kind of problem. They never
 * carry document text: SnakeYAML's own problem descriptions quote the offending input (an alias name, an escape, a tag,
 * a character), and a decrypted configuration may hold secrets, so they are mapped onto fixed phrases.
 */
final class YamlTreeReader {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern DECIMAL_INT = Pattern.compile("[-+]?(0|[1-9][0-9]*)");
  private static final Pattern DECIMAL_FLOAT = Pattern.compile("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?");

  /**
   * SnakeYAML problem descriptions (by a fragment that carries no input) and the fixed phrase reported instead. First
   * match wins; anything else is a "syntax error".
   */
  private static final String[][] PROBLEMS = {
    {"undefined alias", "undefined alias"},
    {"unknown escape character", "unknown escape sequence in a double-quoted string"},
    {"cannot start any token", "a character that cannot start any token"},
    {"mapping values are not allowed", "mapping values are not allowed here"},
    {"could not find expected ':'", "a key without ':'"},
    {"unexpected end of stream", "unexpected end of the document (unclosed quote or bracket?)"},
    {"tab character", "tab characters cannot indent"},
    {"expected <block end>", "bad indentation"},
    {"expected alphabetic or numeric character", "invalid anchor or alias name"},
    {"Number of aliases", "too many aliases"},
    {"exceeds the limit", "document too large"},
    {"Nesting Depth", "nesting too deep"},
    {"Recursive key", "recursive key"},
    {"expected a comment or a line break", "unexpected text after a value"},
    {"special characters are not allowed", "control characters are not allowed"},
    {"unacceptable code point", "control characters are not allowed"},
    {"expected ',' or", "unclosed flow collection"},
    {"incompatible YAML document", "unsupported YAML version"},
    {"expected '<document start>'", "more than one document"},
    {"expected the node content", "a value is missing"},
    {"did not find expected node content", "a value is missing"},
    {"did not find expected key", "bad indentation"},
    {"did not find expected '-' indicator", "bad indentation"},
    {"expected URI", "invalid tag"},
    {"tag", "invalid tag"},
    {"directive", "invalid directive"},
  };

  private final YamlLimits limits;
  private final long maxScalarChars;
  private int nodes;
  private long scalarChars;

  YamlTreeReader(YamlLimits limits) {
    this.limits = limits;
    this.maxScalarChars = 2L * limits.maxDocumentBytes();
  }

  /**
   * Parses one YAML document.
   *
   * @return the tree; an empty document gives an empty object
   */
  JsonNode read(String text, String source) throws ConfigException {
    if (text.length() > limits.maxDocumentBytes()) {
      throw new ConfigException(source + ": document larger than " + limits.maxDocumentBytes() + " bytes");
    }
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(limits.maxAliases());
    options.setNestingDepthLimit(limits.maxDepth());
    options.setCodePointLimit(limits.maxDocumentBytes());
    options.setAllowRecursiveKeys(false);
    options.setProcessComments(false);
    TagRefusingParser parser = new TagRefusingParser(new ParserImpl(new StreamReader(new StringReader(text)), options));
    Node root;
    try {
      root = new Composer(parser, new Resolver(), options).getSingleNode();
    } catch (MarkedYAMLException e) {
      throw new ConfigException(source + ": invalid YAML" + at(e.getProblemMark()) + ": " + kind(e.getProblem()));
    } catch (YAMLException e) {
      throw new ConfigException(source + ": invalid YAML: " + kind(e.getMessage()));
    } catch (RuntimeException e) {
      // SnakeYAML reports some malformed input with generic runtime exceptions; never let them escape
      throw new ConfigException(source + ": invalid YAML (" + e.getClass().getSimpleName() + ")");
    }
    if (parser.explicitTag != null) {
      throw new ConfigException(
          source + ": explicit YAML tags are not accepted" + at(parser.explicitTag)
              + " (write the value in its plain form)");
    }
    if (root == null) {
      return NODES.objectNode();
    }
    return convert(root, YamlPath.ROOT, 0, source);
  }

  /** Maps a SnakeYAML problem description onto a fixed phrase that quotes nothing from the input. */
  static String kind(@Nullable String problem) {
    if (problem != null) {
      for (String[] p : PROBLEMS) {
        if (problem.contains(p[0])) {
          return p[1];
        }
      }
    }
    return "syntax error";
  }

  private JsonNode convert(Node node, YamlPath path, int depth, String source) throws ConfigException {
    if (++nodes > limits.maxNodes()) {
      throw new ConfigException(source + ": more than " + limits.maxNodes() + " YAML nodes (alias expansion?)");
    }
    if (depth > limits.maxDepth()) {
      throw new ConfigException(source + ": nesting deeper than " + limits.maxDepth() + " at " + display(path));
    }
    if (!(node instanceof ScalarNode) && !node.getTag().equals(Tag.MAP) && !node.getTag().equals(Tag.SEQ)) {
      throw new ConfigException(source + ": unsupported tag at " + display(path) + at(node.getStartMark()));
    }
    if (node instanceof MappingNode mapping) {
      ObjectNode out = NODES.objectNode();
      for (NodeTuple tuple : mapping.getValue()) {
        Node keyNode = tuple.getKeyNode();
        if (!(keyNode instanceof ScalarNode scalarKey)) {
          throw new ConfigException(source + ": non-scalar key" + at(keyNode.getStartMark()) + " in " + display(path));
        }
        if (keyNode.getTag().equals(Tag.MERGE)) {
          throw new ConfigException(source + ": merge keys (<<) are not supported" + at(keyNode.getStartMark()));
        }
        String key = scalarKey.getValue();
        // keys count too: an alias used as a key expands like any other scalar
        countScalar(key, path, source);
        YamlPath childPath = path.child(key);
        if (out.has(key)) {
          throw new ConfigException(source + ": duplicate key " + display(childPath) + at(keyNode.getStartMark()));
        }
        out.set(key, convert(tuple.getValueNode(), childPath, depth + 1, source));
      }
      return out;
    }
    if (node instanceof SequenceNode sequence) {
      ArrayNode out = NODES.arrayNode();
      int i = 0;
      for (Node item : sequence.getValue()) {
        out.add(convert(item, path.element(i++), depth + 1, source));
      }
      return out;
    }
    ScalarNode scalar = (ScalarNode) node;
    countScalar(scalar.getValue(), path, source);
    return scalar(scalar, path, source);
  }

  /** Aliases to scalars are not limited by count (only aliases to collections are): bound what they expand to. */
  private void countScalar(String value, YamlPath path, String source) throws ConfigException {
    scalarChars += value.length();
    if (scalarChars > maxScalarChars) {
      throw new ConfigException(
          source + ": more than " + maxScalarChars + " characters of scalar text after alias expansion at "
              + display(path));
    }
  }

  private static JsonNode scalar(ScalarNode scalar, YamlPath path, String source) throws ConfigException {
    Tag tag = scalar.getTag();
    String value = scalar.getValue();
    if (tag.equals(Tag.NULL)) {
      return NODES.nullNode();
    }
    if (tag.equals(Tag.BOOL)) {
      String v = value.toLowerCase(java.util.Locale.ROOT);
      return NODES.booleanNode(v.equals("true") || v.equals("yes") || v.equals("on"));
    }
    if (tag.equals(Tag.INT) && DECIMAL_INT.matcher(value).matches()) {
      BigInteger big = new BigInteger(value);
      if (big.bitLength() < 32) {
        return NODES.numberNode(big.intValue());
      }
      return big.bitLength() < 64 ? NODES.numberNode(big.longValue()) : NODES.numberNode(big);
    }
    if (tag.equals(Tag.FLOAT) && DECIMAL_FLOAT.matcher(value).matches()) {
      return NODES.numberNode(Double.parseDouble(value));
    }
    if (tag.equals(Tag.STR) || tag.equals(Tag.INT) || tag.equals(Tag.FLOAT) || tag.equals(Tag.TIMESTAMP)) {
      // implicitly resolved YAML 1.1 forms (0x.., 0o.., 1_000, sexagesimal, timestamps) stay text and fail typed
      // binding visibly; explicit tags never get here
      return NODES.textNode(value);
    }
    throw new ConfigException(source + ": unsupported tag at " + display(path) + at(scalar.getStartMark()));
  }

  private static String display(YamlPath path) {
    return path == YamlPath.ROOT ? "the document root" : path.toString();
  }

  /**
   * A YAML path, rendered only for a message. Building {@code parent + "." + key} for every node copied the whole path
   * once per node: a long key (or an alias used as a key at every level) above a large sequence cost gigabytes of
   * copying for a document under the size limit.
   */
  private record YamlPath(@Nullable YamlPath parent, @Nullable String key, int index) {
    static final YamlPath ROOT = new YamlPath(null, null, -1);

    YamlPath child(String name) {
      return new YamlPath(this, name, -1);
    }

    YamlPath element(int i) {
      return new YamlPath(this, null, i);
    }

    @Override
    public String toString() {
      if (parent == null) {
        return "";
      }
      String up = parent.toString();
      if (key == null) {
        return up + "[" + index + "]";
      }
      return up.isEmpty() ? key : up + "." + key;
    }
  }

  private static String at(@Nullable Mark mark) {
    return mark == null ? "" : " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ")";
  }

  /**
   * Passes events through to the composer and remembers the first node written with an explicit tag ({@code !!str},
   * {@code !!timestamp}, {@code !x}, {@code !}): the composed node no longer tells an explicit tag from an implicit one.
   */
  private static final class TagRefusingParser implements Parser {
    private final Parser delegate;
    @Nullable Mark explicitTag;

    TagRefusingParser(Parser delegate) {
      this.delegate = delegate;
    }

    @Override
    public boolean checkEvent(Event.ID choice) {
      return delegate.checkEvent(choice);
    }

    @Override
    public Event peekEvent() {
      return delegate.peekEvent();
    }

    @Override
    public Event getEvent() {
      Event e = delegate.getEvent();
      if (explicitTag == null) {
        String tag = null;
        if (e instanceof ScalarEvent s) {
          tag = s.getTag();
        } else if (e instanceof CollectionStartEvent c) {
          tag = c.getTag();
        }
        if (tag != null) {
          explicitTag = e.getStartMark();
        }
      }
      return e;
    }
  }
}
