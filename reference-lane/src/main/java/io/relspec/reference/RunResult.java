package io.relspec.reference;

import java.util.List;
import java.util.Optional;

/** The finalized outputs of one run, in dependency order. Closing it releases every batch. */
public record RunResult(String bundleSignature, List<OutputResult> outputs)
    implements AutoCloseable {
  public RunResult {
    outputs = List.copyOf(outputs);
  }

  public Optional<OutputResult> output(String name) {
    return outputs.stream().filter(o -> o.name().equals(name)).findFirst();
  }

  @Override
  public void close() {
    outputs.forEach(OutputResult::close);
  }
}
