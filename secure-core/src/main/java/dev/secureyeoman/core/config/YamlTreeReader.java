package dev.secureyeoman.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.math.BigInteger;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * YAML text to a Jackson tree through SnakeYAML's composer (no object construction, so no custom tags, no arbitrary
 * types). Limits: document size, aliases to collections, nesting depth and total nodes after alias expansion.
 * Duplicate keys, merge keys and non-scalar keys are rejected. Error messages carry positions and paths, never values.
 */
final class YamlTreeReader {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern DECIMAL_INT = Pattern.compile("[-+]?(0|[1-9][0-9]*)");
  private static final Pattern DECIMAL_FLOAT = Pattern.compile("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?");

  private final YamlLimits limits;
  private int nodes;

  YamlTreeReader(YamlLimits limits) {
    this.limits = limits;
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
    Yaml yaml = new Yaml(new SafeConstructor(options));
    Node root;
    try {
      root = yaml.compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      throw new ConfigException(source + ": invalid YAML" + at(e.getProblemMark()) + ": " + oneLine(e.getProblem()));
    } catch (YAMLException e) {
      throw new ConfigException(source + ": invalid YAML: " + oneLine(e.getMessage()));
    } catch (RuntimeException e) {
      // SnakeYAML reports some malformed input with generic runtime exceptions; never let them escape
      throw new ConfigException(source + ": invalid YAML (" + e.getClass().getSimpleName() + ")");
    }
    if (root == null) {
      return NODES.objectNode();
    }
    return convert(root, "", 0, source);
  }

  private JsonNode convert(Node node, String path, int depth, String source) throws ConfigException {
    if (++nodes > limits.maxNodes()) {
      throw new ConfigException(source + ": more than " + limits.maxNodes() + " YAML nodes (alias expansion?)");
    }
    if (depth > limits.maxDepth()) {
      throw new ConfigException(source + ": nesting deeper than " + limits.maxDepth() + " at " + display(path));
    }
    if (!(node instanceof ScalarNode) && !node.getTag().equals(Tag.MAP) && !node.getTag().equals(Tag.SEQ)) {
      throw new ConfigException(source + ": unsupported tag " + node.getTag().getValue() + " at " + display(path)
          + at(node.getStartMark()));
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
        String childPath = path.isEmpty() ? key : path + "." + key;
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
        out.add(convert(item, path + "[" + i++ + "]", depth + 1, source));
      }
      return out;
    }
    ScalarNode scalar = (ScalarNode) node;
    return scalar(scalar, path, source);
  }

  private static JsonNode scalar(ScalarNode scalar, String path, String source) throws ConfigException {
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
      // other YAML 1.1 forms (0x.., 0o.., 1_000, sexagesimal, timestamps) stay text and fail typed binding visibly
      return NODES.textNode(value);
    }
    throw new ConfigException(source + ": unsupported tag " + tag.getValue() + " at " + display(path)
        + at(scalar.getStartMark()));
  }

  private static String display(String path) {
    return path.isEmpty() ? "the document root" : path;
  }

  private static String at(Mark mark) {
    return mark == null ? "" : " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ")";
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ').strip();
  }
}
