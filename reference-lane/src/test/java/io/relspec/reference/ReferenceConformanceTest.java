package io.relspec.reference;

import static org.assertj.core.api.Assertions.assertThat;

import io.relspec.reference.conformance.Conformance;
import io.relspec.reference.conformance.ConformanceCases;
import io.relspec.reference.conformance.ContractConformance;
import io.relspec.reference.conformance.ContractLane;
import io.relspec.reference.conformance.ReferenceConformanceLane;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every spec conformance case ({@link ConformanceCases}) on the reference lane; the other lanes run
 * the same cases (integration-tests {@code io.relspec.it.conformance}).
 */
class ReferenceConformanceTest {
  private static final ReferenceConformanceLane LANE = new ReferenceConformanceLane();
  private static final Conformance CONFORMANCE = new Conformance(LANE, Map.of());
  private static final ContractConformance CONTRACTS =
      new ContractConformance(
          ContractLane.arrowRunner(
              "reference", p -> new ReferenceExecutor(p.batchSize(), Long.MAX_VALUE)),
          Map.of(),
          Path.of("target", "contract-cases", "reference"));

  @TestFactory
  Stream<DynamicTest> everyCaseConforms() {
    return CONFORMANCE.tests();
  }

  @TestFactory
  Stream<DynamicTest> everyContractCaseConforms() {
    return CONTRACTS.tests();
  }

  @Test
  void casesCoverEveryAreaOfTheSpec() {
    assertThat(ConformanceCases.all())
        .extracting(c -> c.area())
        .contains("op", "function", "kernel", "edge");
    assertThat(ConformanceCases.all()).hasSizeGreaterThan(40);
  }

  @AfterAll
  static void report() {
    CONFORMANCE.writeReport();
    CONTRACTS.writeReport();
    LANE.close();
  }
}
