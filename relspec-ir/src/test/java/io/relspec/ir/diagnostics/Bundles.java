package io.relspec.ir.diagnostics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relspec.ir.bundle.Bundle;
import io.relspec.ir.json.BundleReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.function.Consumer;

/** Example bundles edited as JSON trees, for tests. */
final class Bundles {
  static final ObjectMapper JSON = new ObjectMapper();

  private Bundles() {}

  static ObjectNode tree(String example) {
    try {
      return (ObjectNode) JSON.readTree(Files.readString(Examples.path(example)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode edited(String example, Consumer<ObjectNode> edit) {
    ObjectNode tree = tree(example);
    edit.accept(tree);
    return tree;
  }

  static Bundle bundle(ObjectNode tree) {
    return BundleReader.read(tree.toString(), "<test>");
  }

  static ObjectNode rule(ObjectNode tree, String name) {
    for (JsonNode rule : tree.get("rules")) {
      if (rule.get("name").asText().equals(name)) {
        return (ObjectNode) rule;
      }
    }
    throw new IllegalArgumentException("no rule " + name);
  }

  static ObjectNode contract(ObjectNode tree, String name) {
    for (JsonNode contract : tree.get("contracts")) {
      if (contract.get("name").asText().equals(name)) {
        return (ObjectNode) contract;
      }
    }
    throw new IllegalArgumentException("no contract " + name);
  }

  static ArrayNode ops(ObjectNode tree, String rule) {
    return (ArrayNode) rule(tree, rule).get("ops");
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
