package io.relspec.reference;

import static io.relspec.reference.Fixture.row;
import static io.relspec.reference.PropertyCheck.longOrNull;
import static io.relspec.reference.PropertyCheck.orNull;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Invariants of the reference lane on random small data (nulls, duplicates, ties and empty inputs
 * are common by construction): sort is an ordered permutation, dedupe keeps exactly one minimal row
 * per key, interval_align equals a naive O(n*m) reference, hash join equals a nested loop.
 */
class LanePropertiesTest {
  private static final Comparator<Object> NULLS_LAST = (a, b) -> Values.compareNullsLast(a, b);

  // ------------------------------------------------------------------ generators

  /** Up to 25 rows (k, score, a, b) with nulls, duplicate keys, ties and signed zeros. */
  static List<List<Object>> keyedRows(SplittableRandom r) {
    return PropertyCheck.rows(
        r,
        25,
        () ->
            row(
                orNull(r, 0.15, "x", "y", "z"),
                orNull(r, 0.2, 0.5, 1.0, -0.0, 0.0, 2.0),
                longOrNull(r, 0.2, -2, 2),
                orNull(r, 0.2, "a", "b", "\uD83D\uDE00", "\uFF5E")));
  }

  /** Up to 15 left spans (id, path, start, end); id is the row's position. */
  static List<List<Object>> lefts(SplittableRandom r) {
    List<List<Object>> rows =
        PropertyCheck.rows(
            r,
            15,
            () ->
                row(
                    null,
                    orNull(r, 0.1, "p", "q"),
                    longOrNull(r, 0.1, 0, 8),
                    longOrNull(r, 0.1, 0, 8)));
    for (int i = 0; i < rows.size(); i++) {
      rows.get(i).set(0, (long) i);
    }
    return rows;
  }

  /** Up to 15 right spans (rid, path, start, end, conf). */
  static List<List<Object>> rights(SplittableRandom r) {
    return PropertyCheck.rows(
        r,
        15,
        () ->
            row(
                r.nextLong(0, 4),
                orNull(r, 0.1, "p", "q", "r"),
                longOrNull(r, 0.1, 0, 8),
                longOrNull(r, 0.1, 0, 8),
                orNull(r, 0.3, 0.1, 0.5)));
  }

  static String mode(SplittableRandom r) {
    String[] modes = {"exact", "contained", "overlap"};
    return modes[r.nextInt(modes.length)];
  }

  // ------------------------------------------------------------------ sort

  @Test
  void sortIsAnOrderedPermutation() {
    PropertyCheck.forAll(
        "sortIsAnOrderedPermutation",
        80,
        r ->
            new PropertyCheck.Sample(
                List.of(keyedRows(r)), List.of(r.nextBoolean(), r.nextBoolean())),
        s -> sortIsAnOrderedPermutation(s.rows(0), s.flag(0), s.flag(1)));
  }

  private static void sortIsAnOrderedPermutation(
      List<List<Object>> rows, boolean firstDesc, boolean nullsFirst) {
    String dir = firstDesc ? "desc" : "asc";
    String nulls = nullsFirst ? "first" : "last";
    try (Fixture f = new Fixture()) {
      f.dataset("t", "k:string", "score:float64", "a:int64", "b:string")
          .rows("t", rows.toArray(new List<?>[0]));
      List<List<Object>> out =
          f.run(
              ("[{\"op\":\"scan\",\"dataset\":\"t\"},{\"op\":\"sort\",\"keys\":["
                      + "{\"col\":\"k\",\"dir\":\"%s\",\"nulls\":\"%s\"},{\"col\":\"a\"}]}]")
                  .formatted(dir, nulls));
      assertThat(out).containsExactlyInAnyOrderElementsOf(canonical(rows));
      for (int i = 1; i < out.size(); i++) {
        Object k1 = out.get(i - 1).get(0);
        Object k2 = out.get(i).get(0);
        int c;
        if (k1 == null || k2 == null) {
          c = k1 == k2 ? 0 : ((k1 == null) == nullsFirst ? -1 : 1);
        } else {
          c = firstDesc ? -Values.compare(k1, k2) : Values.compare(k1, k2);
        }
        assertThat(c).as("row %s after %s", out.get(i), out.get(i - 1)).isLessThanOrEqualTo(0);
        if (c == 0) {
          assertThat(NULLS_LAST.compare(out.get(i - 1).get(2), out.get(i).get(2)))
              .isLessThanOrEqualTo(0);
        }
      }
    }
  }

  // ------------------------------------------------------------------ dedupe

  @Test
  void dedupeKeepsOneMinimalRowPerKey() {
    PropertyCheck.forAll(
        "dedupeKeepsOneMinimalRowPerKey",
        80,
        r -> new PropertyCheck.Sample(List.of(keyedRows(r)), List.of()),
        s -> dedupeKeepsOneMinimalRowPerKey(s.rows(0)));
  }

  private static void dedupeKeepsOneMinimalRowPerKey(List<List<Object>> rows) {
    try (Fixture f = new Fixture()) {
      f.dataset("t", "k:string", "score:float64", "a:int64", "b:string")
          .rows("t", rows.toArray(new List<?>[0]));
      List<List<Object>> out =
          f.run(
              """
              [{"op":"scan","dataset":"t"},
               {"op":"dedupe","keys":["k"],"orderBy":[{"col":"score","dir":"desc"}]}]
              """);
      List<List<Object>> input = canonical(rows);
      Set<Object> keys = new HashSet<>();
      for (List<Object> r : out) {
        assertThat(keys.add(r.get(0))).as("key %s once", r.get(0)).isTrue();
        assertThat(input).contains(r);
      }
      Set<Object> inputKeys = new HashSet<>();
      input.forEach(r -> inputKeys.add(r.get(0)));
      assertThat(keys).isEqualTo(inputKeys);
      // naive: per key, the minimum by score desc (nulls first), then k, a, b asc nulls last
      Comparator<List<Object>> order =
          (x, y) -> {
            int c = compareDescNullsFirst(x.get(1), y.get(1));
            for (int col : new int[] {0, 2, 3}) {
              if (c == 0) {
                c = NULLS_LAST.compare(x.get(col), y.get(col));
              }
            }
            return c;
          };
      Map<Object, List<Object>> best = new HashMap<>();
      for (List<Object> r : input) {
        best.merge(r.get(0), r, (p, q) -> order.compare(q, p) < 0 ? q : p);
      }
      assertThat(out).containsExactlyInAnyOrderElementsOf(best.values());
    }
  }

  private static int compareDescNullsFirst(Object a, Object b) {
    if (a == null || b == null) {
      return a == b ? 0 : (a == null ? -1 : 1);
    }
    return -Values.compare(a, b);
  }

  // ------------------------------------------------------------------ interval_align

  @Test
  void intervalAlignEqualsTheNaiveReference() {
    PropertyCheck.forAll(
        "intervalAlignEqualsTheNaiveReference",
        120,
        r ->
            new PropertyCheck.Sample(
                List.of(lefts(r), rights(r)), List.of(mode(r), r.nextBoolean(), r.nextBoolean())),
        s ->
            intervalAlignEqualsTheNaiveReference(
                s.rows(0), s.rows(1), s.string(0), s.flag(1), s.flag(2)));
  }

  private static void intervalAlignEqualsTheNaiveReference(
      List<List<Object>> lefts,
      List<List<Object>> rights,
      String mode,
      boolean keepUnmatched,
      boolean tieBreak) {
    try (Fixture f = new Fixture().batchRows(4)) {
      f.dataset("l", "id:int64", "path:string", "ls:int64", "le:int64")
          .dataset("r", "rid:int64", "path:string", "rs:int64", "re:int64", "conf:float64")
          .rows("l", lefts.toArray(new List<?>[0]))
          .rows("r", rights.toArray(new List<?>[0]));
      String how = keepUnmatched ? "left" : "inner";
      String tieBreakers = tieBreak ? "[{\"col\":\"conf\",\"dir\":\"desc\"}]" : "[]";
      List<List<Object>> out =
          f.run(
              """
              [{"op":"scan","dataset":"l"},
               {"op":"interval_align","right":{"ops":[{"op":"scan","dataset":"r"}]},"on":["path"],
                "leftSpan":["ls","le"],"rightSpan":["rs","re"],"mode":"%s","how":"%s",
                "selectRight":["rid","conf"],"tieBreakers":%s,"matchMeta":true}]
              """
                  .formatted(mode, how, tieBreakers));
      assertThat(out).isEqualTo(naiveAlign(lefts, rights, mode, keepUnmatched, tieBreak));
    }
  }

  private static List<List<Object>> naiveAlign(
      List<List<Object>> lefts,
      List<List<Object>> rights,
      String mode,
      boolean keepUnmatched,
      boolean tieBreak) {
    Comparator<List<Object>> rank =
        (x, y) -> {
          int c = Double.compare(score(y), score(x));
          if (c == 0 && tieBreak) {
            c = compareDescNullsFirst(x.get(4), y.get(4));
          }
          int[] remaining = tieBreak ? new int[] {0, 1, 2, 3} : new int[] {0, 1, 2, 3, 4};
          for (int col : remaining) {
            if (c == 0) {
              c = NULLS_LAST.compare(x.get(col), y.get(col));
            }
          }
          return c;
        };
    List<List<Object>> out = new ArrayList<>();
    for (List<Object> l : lefts) {
      List<Object> best = null;
      if (l.get(1) != null && l.get(2) != null && l.get(3) != null) {
        long ls = (Long) l.get(2);
        long le = (Long) l.get(3);
        for (List<Object> r : rights) {
          if (!l.get(1).equals(r.get(1)) || r.get(2) == null || r.get(3) == null) {
            continue;
          }
          long rs = (Long) r.get(2);
          long re = (Long) r.get(3);
          boolean matches =
              switch (mode) {
                case "exact" -> rs == ls && re == le;
                case "contained" -> rs >= ls && re <= le;
                default -> !(re <= ls || rs >= le);
              };
          if (matches && (best == null || rank.compare(r, best) < 0)) {
            best = r;
          }
        }
      }
      List<Object> row = new ArrayList<>(l);
      if (best != null) {
        row.addAll(java.util.Arrays.asList(best.get(0), best.get(4), mode, score(best)));
      } else if (keepUnmatched) {
        row.addAll(java.util.Arrays.asList(null, null, "NO_MATCH", null));
      } else {
        continue;
      }
      out.add(row);
    }
    return out;
  }

  private static double score(List<Object> right) {
    return (double) -((Long) right.get(3) - (Long) right.get(2));
  }

  // ------------------------------------------------------------------ join

  @Test
  void hashJoinEqualsANestedLoop() {
    PropertyCheck.forAll(
        "hashJoinEqualsANestedLoop",
        80,
        r ->
            new PropertyCheck.Sample(List.of(keyedRows(r), keyedRows(r)), List.of(r.nextBoolean())),
        s -> hashJoinEqualsANestedLoop(s.rows(0), s.rows(1), s.flag(0)));
  }

  private static void hashJoinEqualsANestedLoop(
      List<List<Object>> left, List<List<Object>> right, boolean leftJoin) {
    try (Fixture f = new Fixture()) {
      f.dataset("l", "k:string", "score:float64", "a:int64", "b:string")
          .dataset("r", "k:string", "score:float64", "a:int64", "b:string")
          .rows("l", left.toArray(new List<?>[0]))
          .rows("r", right.toArray(new List<?>[0]));
      List<List<Object>> out =
          f.run(
              """
              [{"op":"scan","dataset":"l"},
               {"op":"join","type":"%s","right":{"ops":[{"op":"scan","dataset":"r"}]},
                "on":["k","a"],"rightSuffix":"_r"}]
              """
                  .formatted(leftJoin ? "left" : "inner"));
      List<List<Object>> expected = new ArrayList<>();
      for (List<Object> l : canonical(left)) {
        boolean matched = false;
        for (List<Object> r : canonical(right)) {
          if (l.get(0) != null
              && l.get(2) != null
              && Objects.equals(l.get(0), r.get(0))
              && Objects.equals(l.get(2), r.get(2))) {
            List<Object> both = new ArrayList<>(l);
            both.addAll(r);
            expected.add(both);
            matched = true;
          }
        }
        if (!matched && leftJoin) {
          List<Object> both = new ArrayList<>(l);
          both.addAll(java.util.Arrays.asList(null, null, null, null));
          expected.add(both);
        }
      }
      assertThat(out).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  private static List<List<Object>> canonical(List<List<Object>> rows) {
    List<List<Object>> out = new ArrayList<>();
    for (List<Object> r : rows) {
      out.add(new ArrayList<>(r));
    }
    return out;
  }
}
