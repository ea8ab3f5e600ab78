package io.relspec.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relspec.ir.diagnostics.RuleChange;
import io.relspec.ir.diagnostics.SemanticDiff;
import io.relspec.ir.json.BundleReader;
import io.relspec.ir.validate.BundleValidator;
import io.relspec.ir.validate.ValidatedBundle;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code relspec diff OLD NEW [--json]}. */
@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    description =
        "Compares two versions of a bundle rule by rule on optimized plans: unchanged, changed,"
            + " added or removed; for changes the edits, a category (breaking, non_breaking,"
            + " metadata) with its reason, and the downstream rules affected.")
final class DiffCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "OLD", description = "The old bundle JSON file.")
  Path oldBundle;

  @Parameters(index = "1", paramLabel = "NEW", description = "The new bundle JSON file.")
  Path newBundle;

  @Option(names = "--json", description = "Print the changes as JSON.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ValidatedBundle oldValidated =
        BundleValidator.validate(BundleReader.read(oldBundle), oldBundle.toString(), Map.of());
    ValidatedBundle newValidated =
        BundleValidator.validate(BundleReader.read(newBundle), newBundle.toString(), Map.of());
    List<RuleChange> changes = SemanticDiff.diff(oldValidated, newValidated);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Commands.JSON.writeValueAsString(toJson(changes)));
    } else {
      print(out, changes);
    }
    out.flush();
    return 0;
  }

  private void print(PrintWriter out, List<RuleChange> changes) {
    out.println(
        "diff "
            + oldBundle
            + " -> "
            + newBundle
            + ": "
            + count(changes, RuleChange.CHANGED)
            + " changed ("
            + changes.stream()
                .filter(c -> c.category().orElse("").equals(RuleChange.BREAKING))
                .count()
            + " breaking), "
            + count(changes, RuleChange.ADDED)
            + " added, "
            + count(changes, RuleChange.REMOVED)
            + " removed, "
            + count(changes, RuleChange.UNCHANGED)
            + " unchanged");
    int width = changes.stream().mapToInt(c -> c.rule().length()).max().orElse(0);
    for (RuleChange change : changes) {
      out.println(
          Commands.pad(change.status(), 9)
              + "  "
              + Commands.pad(change.rule(), width)
              + "  "
              + change.category().map(c -> c + ": ").orElse("")
              + change.reason());
      for (RuleChange.Edit edit : change.edits()) {
        out.println("  edit " + edit.kind().jsonName() + ": " + edit.detail());
      }
      if (!change.affectedDownstream().isEmpty()) {
        out.println("  affects downstream: " + String.join(", ", change.affectedDownstream()));
      }
    }
  }

  private static long count(List<RuleChange> changes, String status) {
    return changes.stream().filter(c -> c.status().equals(status)).count();
  }

  private static ArrayNode toJson(List<RuleChange> changes) {
    ArrayNode root = Commands.JSON.createArrayNode();
    for (RuleChange change : changes) {
      ObjectNode node = root.addObject();
      node.put("rule", change.rule());
      node.put("status", change.status());
      node.put("category", change.category().orElse(null));
      node.put("reason", change.reason());
      ArrayNode edits = node.putArray("edits");
      for (RuleChange.Edit edit : change.edits()) {
        edits.addObject().put("kind", edit.kind().jsonName()).put("detail", edit.detail());
      }
      ArrayNode downstream = node.putArray("affectedDownstream");
      change.affectedDownstream().forEach(downstream::add);
      node.put("oldDigest", change.oldDigest().orElse(null));
      node.put("newDigest", change.newDigest().orElse(null));
    }
    return root;
  }
}
