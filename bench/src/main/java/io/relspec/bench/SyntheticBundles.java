package io.relspec.bench;

/**
 * Generates large, valid bundles as JSON text: a few datasets and many rules mixing every op kind,
 * with rules that read other rules' outputs so the rule graph is exercised too.
 */
public final class SyntheticBundles {
  private SyntheticBundles() {}

  /** A bundle of {@code rules} rules over four datasets. */
  public static String bundle(int rules) {
    StringBuilder json = new StringBuilder(rules * 1200);
    json.append("{\"relspec\": 1, \"name\": \"synthetic_")
        .append(rules)
        .append("\",\n\"datasets\": [");
    for (int d = 0; d < 4; d++) {
      if (d > 0) {
        json.append(',');
      }
      json.append("{\"name\": \"ds")
          .append(d)
          .append("\", \"format\": \"parquet\", \"location\": \"ds")
          .append(d)
          .append("\", \"schema\": [{\"name\": \"id\", \"type\": \"int64\", \"nullable\": false},")
          .append(
              "{\"name\": \"path\", \"type\": \"string\"}, {\"name\": \"bstart\", \"type\": \"int64\"},")
          .append(
              "{\"name\": \"bend\", \"type\": \"int64\"}, {\"name\": \"score\", \"type\": \"float64\"},")
          .append(
              "{\"name\": \"amount\", \"type\": \"decimal(12,2)\"}, {\"name\": \"kind\", \"type\": \"string\"}]}\n");
    }
    json.append("],\n\"contracts\": [")
        .append(
            "{\"name\": \"wide\", \"version\": 1, \"columns\": [{\"name\": \"id\", \"type\": \"int64\", \"nullable\": false},")
        .append(
            "{\"name\": \"path\", \"type\": \"string\"}, {\"name\": \"bstart\", \"type\": \"int64\"},")
        .append(
            "{\"name\": \"bend\", \"type\": \"int64\"}, {\"name\": \"score\", \"type\": \"float64\"},")
        .append(
            "{\"name\": \"amount\", \"type\": \"decimal(12,2)\"}, {\"name\": \"kind\", \"type\": \"string\"}],")
        .append(
            " \"keyFields\": [\"id\"], \"canonicalSort\": [{\"col\": \"id\"}], \"onViolation\": \"quarantine\"},")
        .append(
            "{\"name\": \"agg\", \"version\": 1, \"columns\": [{\"name\": \"path\", \"type\": \"string\"},")
        .append(
            "{\"name\": \"n\", \"type\": \"int64\", \"nullable\": false}, {\"name\": \"total\", \"type\": \"decimal(22,2)\"}]}")
        .append("],\n\"rules\": [\n");
    for (int r = 0; r < rules; r++) {
      if (r > 0) {
        json.append(",\n");
      }
      String input =
          r >= 10 && r % 3 == 0 ? "out" + (r - 7 - (r % 7 == 0 ? 1 : 0)) : "ds" + (r % 4);
      if (r >= 10 && r % 3 == 0 && isAggregate(r - 7 - (r % 7 == 0 ? 1 : 0))) {
        input = "ds" + (r % 4);
      }
      if (isAggregate(r)) {
        json.append("{\"name\": \"r")
            .append(r)
            .append("\", \"output\": \"out")
            .append(r)
            .append("\", \"contract\": \"agg\", \"ops\": [{\"op\": \"scan\", \"dataset\": \"")
            .append(input)
            .append("\"},")
            .append("{\"op\": \"filter\", \"predicate\": {\"fn\": \"and\", \"args\": [")
            .append("{\"fn\": \"gt\", \"args\": [{\"col\": \"score\"}, {\"lit\": ")
            .append(r % 10)
            .append(".5, \"type\": \"float64\"}]},")
            .append("{\"fn\": \"like\", \"args\": [{\"col\": \"path\"}, {\"lit\": \"src/%")
            .append(r)
            .append("%\", \"type\": \"string\"}]}]}},")
            .append(
                "{\"op\": \"aggregate\", \"groupBy\": [\"path\"], \"aggregates\": [{\"name\": \"n\", \"fn\": \"count\"},")
            .append("{\"name\": \"total\", \"fn\": \"sum\", \"args\": [{\"col\": \"amount\"}]}]},")
            .append(
                "{\"op\": \"sort\", \"keys\": [{\"col\": \"total\", \"dir\": \"desc\"}, {\"col\": \"path\"}]},")
            .append("{\"op\": \"limit\", \"n\": 100}]}");
      } else {
        json.append("{\"name\": \"r")
            .append(r)
            .append("\", \"output\": \"out")
            .append(r)
            .append("\", \"contract\": \"wide\", \"priority\": ")
            .append(r % 50)
            .append(", \"ops\": [{\"op\": \"scan\", \"dataset\": \"")
            .append(input)
            .append("\"},")
            .append(
                "{\"op\": \"param\", \"name\": \"min_score\", \"type\": \"float64\", \"default\": 0.25},")
            .append(
                "{\"op\": \"filter\", \"predicate\": {\"fn\": \"ge\", \"args\": [{\"col\": \"score\"}, {\"param\": \"min_score\"}]}},")
            .append(
                "{\"op\": \"derive\", \"name\": \"kind\", \"expr\": {\"case\": [{\"when\": {\"fn\": \"gt\", \"args\": [")
            .append(
                "{\"fn\": \"span_len\", \"args\": [{\"col\": \"bstart\"}, {\"col\": \"bend\"}]}, {\"lit\": ")
            .append(r)
            .append(
                ", \"type\": \"int64\"}]}, \"then\": {\"lit\": \"long\", \"type\": \"string\"}}], \"else\": {\"fn\": \"concat\", \"args\": [")
            .append("{\"col\": \"kind\"}, {\"lit\": \"_")
            .append(r)
            .append("\", \"type\": \"string\"}]}}},")
            .append(
                "{\"op\": \"join\", \"type\": \"semi\", \"right\": {\"ops\": [{\"op\": \"scan\", \"dataset\": \"ds")
            .append((r + 1) % 4)
            .append("\", \"columns\": [\"id\", \"path\"]}]}, \"on\": [\"id\", \"path\"]},")
            .append(
                "{\"op\": \"dedupe\", \"keys\": [\"path\", \"bstart\"], \"orderBy\": [{\"col\": \"score\", \"dir\": \"desc\"}]}]}");
      }
    }
    json.append("\n]}\n");
    return json.toString();
  }

  private static boolean isAggregate(int rule) {
    return rule % 5 == 4;
  }
}
