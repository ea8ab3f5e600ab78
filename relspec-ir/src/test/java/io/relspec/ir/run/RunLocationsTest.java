package io.relspec.ir.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relspec.ir.error.ErrorCode;
import io.relspec.ir.error.RelspecException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RunLocationsTest {
  @Test
  void plainPathsStayAsTheyAre() {
    assertThat(RunLocations.output("out")).isEqualTo(Path.of("out"));
    assertThat(RunLocations.output("../examples/out")).isEqualTo(Path.of("../examples/out"));
    assertThat(RunLocations.data("/abs/data")).isEqualTo(Path.of("/abs/data"));
    // A colon after a leading ./ is not a scheme; a single letter is a drive, not a scheme.
    assertThat(RunLocations.output("./my:dir")).isEqualTo(Path.of("./my:dir"));
    assertThat(RunLocations.data("C:data")).isEqualTo(Path.of("C:data"));
  }

  @Test
  void fileUrisBecomeTheAbsolutePathTheyName() {
    assertThat(RunLocations.output("file:/tmp/out")).isEqualTo(Path.of("/tmp/out"));
    assertThat(RunLocations.output("file:///tmp/out")).isEqualTo(Path.of("/tmp/out"));
    assertThat(RunLocations.data("FILE:///tmp/data")).isEqualTo(Path.of("/tmp/data"));
    assertThat(RunLocations.data("file://localhost/tmp/data")).isEqualTo(Path.of("/tmp/data"));
    assertThat(RunLocations.data("file:///tmp/my%20data")).isEqualTo(Path.of("/tmp/my data"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "hdfs://nn/x",
        "hdfs:///x",
        "s3a://b/x",
        "s3://b/x",
        "gs://b/x",
        "abfs://c@a.dfs.core.windows.net/x",
        "abfss://c@a.dfs.core.windows.net/x",
        "wasbs://c@a.blob.core.windows.net/x",
        "viewfs://cluster/x",
        "http://host/x"
      })
  void remoteOutputsAreRefusedWithTheReason(String location) {
    assertThatThrownBy(() -> RunLocations.output(location))
        .isInstanceOfSatisfying(
            RelspecException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessage(
            "Cannot write outputs to '"
                + location
                + "': relspec commits each output dataset atomically by a local rename, which"
                + " needs a local filesystem path. Write to a local or mounted path and copy the"
                + " committed datasets.");
  }

  @ParameterizedTest
  @ValueSource(strings = {"hdfs://nn/x", "s3a://b/x", "gs://b/x", "abfs://c@a/x"})
  void remoteDataIsRefusedWithTheReason(String location) {
    assertThatThrownBy(() -> RunLocations.data(location))
        .isInstanceOfSatisfying(
            RelspecException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessage(
            "Cannot read datasets from '"
                + location
                + "': dataset locations are resolved against --data as local filesystem paths"
                + " (the Spark engine could read remote data, but relspec does not hand it remote"
                + " locations yet). Copy the datasets to a local or mounted path and pass that"
                + " path.");
  }

  @Test
  void fileUrisThatNameNoLocalAbsolutePathAreRefused() {
    assertThatThrownBy(() -> RunLocations.output("file:out"))
        .isInstanceOf(RelspecException.class)
        .hasMessage(
            "Cannot use --out 'file:out': a file: URI needs an absolute path. Write"
                + " file:///absolute/path or a plain local path.");
    assertThatThrownBy(() -> RunLocations.data("file://nn/x"))
        .hasMessage(
            "Cannot use --data 'file://nn/x': it names host 'nn', and only local files can be"
                + " used. Write file:///absolute/path or a plain local path.");
    assertThatThrownBy(() -> RunLocations.data("file:///x?y=1"))
        .hasMessageStartingWith(
            "Cannot use --data 'file:///x?y=1': a file: URI cannot have a query or fragment.");
    assertThatThrownBy(() -> RunLocations.output("file:///my dir"))
        .hasMessageStartingWith("Cannot use --out 'file:///my dir': it is not a valid URI (")
        .hasMessageEndingWith(". Write file:///absolute/path or a plain local path.");
  }
}
