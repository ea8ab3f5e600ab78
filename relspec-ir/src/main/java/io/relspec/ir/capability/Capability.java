package io.relspec.ir.capability;

import java.util.Objects;

/**
 * One cell of the capability registry: how {@code lane} runs {@code kernel} and why.
 *
 * @param kind {@code op}, {@code function} or {@code aggregate}
 * @param kernel the op or function name as written in a bundle
 */
public record Capability(String kind, String kernel, Lane lane, Support support, String reason) {
  public Capability {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(lane, "lane");
    Objects.requireNonNull(support, "support");
    Objects.requireNonNull(reason, "reason");
  }
}
