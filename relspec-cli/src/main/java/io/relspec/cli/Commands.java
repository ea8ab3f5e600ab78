package io.relspec.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import io.relspec.ir.plan.RelPlan;
import io.relspec.ir.validate.ValidatedBundle;
import java.util.Optional;

/** Helpers shared by the diagnostics commands. */
final class Commands {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Commands() {}

  static void requireRule(ValidatedBundle validated, Optional<String> rule, String bundle) {
    if (rule.isPresent() && validated.plan(rule.get()).isEmpty()) {
      throw new RelspecException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot show rule '"
              + rule.get()
              + "': bundle "
              + bundle
              + " has no such rule. Rules: "
              + validated.plans().stream().map(RelPlan::name).toList());
    }
  }

  static String pad(String text, int width) {
    StringBuilder padded = new StringBuilder(text);
    while (padded.length() < width) {
      padded.append(' ');
    }
    return padded.toString();
  }
}
