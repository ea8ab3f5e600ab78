package io.relspec.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Values#compareCodePoints} (the order of strings in sorts, dedupe ties and min/max) against
 * a walk by code points and, for well-formed strings, the order of their UTF-8 bytes: on strings
 * with long common prefixes, supplementary characters (surrogate pairs), characters at and above
 * U+E000 (where UTF-16 order and code point order part), and lone surrogates.
 */
class CodePointOrderTest {
  private static final String[] PIECES = {
    "a", "b", "src/", "é", "\uE000", "\uFFFD", "\uD83D\uDE00", "\uD800\uDC00", "\uDBFF\uDFFF", ""
  };

  @Test
  void charsComparedAsCodePointsWhateverTheSurrogates() {
    Random random = new Random(42);
    int checked = 0;
    for (int i = 0; i < 20_000; i++) {
      String prefix = random.nextBoolean() ? "src/module/long/common/prefix/" : "";
      String a = prefix + random(random);
      String b = random.nextInt(4) == 0 ? a : prefix + random(random);
      int expected = Integer.signum(byCodePoints(a, b));
      assertThat(Integer.signum(Values.compareCodePoints(a, b)))
          .as("compare(%s, %s)", escape(a), escape(b))
          .isEqualTo(expected);
      if (wellFormed(a) && wellFormed(b)) {
        assertThat(Integer.signum(utf8(a, b))).isEqualTo(expected);
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(10_000);
    // where UTF-16 order and code point order part: U+E000 sorts before U+1F600
    assertThat(Values.compareCodePoints("\uE000", "\uD83D\uDE00")).isNegative();
    assertThat("\uE000".compareTo("\uD83D\uDE00")).isPositive();
    // a lone surrogate is its own code point, below U+E000
    assertThat(Values.compareCodePoints("\uD800", "\uE000")).isNegative();
  }

  @Test
  void sortsOverRankedStringColumnsKeepTheOrderOfTheStrings() {
    Random random = new Random(7);
    int n = 5_000;
    Object[] strings = new Object[n];
    Object[] longs = new Object[n];
    for (int i = 0; i < n; i++) {
      strings[i] = random.nextInt(10) == 0 ? null : random(random);
      longs[i] = random.nextInt(10) == 0 ? null : (long) random.nextInt(5);
    }
    for (java.util.List<io.relspec.ir.op.SortKey> keys :
        java.util.List.of(
            java.util.List.of(
                io.relspec.ir.op.SortKey.asc("s"), io.relspec.ir.op.SortKey.desc("l")),
            java.util.List.of(
                io.relspec.ir.op.SortKey.desc("s"), io.relspec.ir.op.SortKey.asc("l")))) {
      Integer[] ranked = new Integer[n];
      Integer[] direct = new Integer[n];
      for (int i = 0; i < n; i++) {
        ranked[i] = i;
        direct[i] = i;
      }
      // the RowOrder ranks the string column once comparisons reach it often enough
      Object[][] columns = {strings.clone(), longs};
      RowOrder order = RowOrder.lazy(keys, k -> columns[k]);
      Arrays.sort(ranked, order::compareRows);
      Arrays.sort(
          direct,
          (x, y) -> {
            int c = RowOrder.compareValues(strings[x], strings[y], keys.get(0));
            return c != 0 ? c : RowOrder.compareValues(longs[x], longs[y], keys.get(1));
          });
      assertThat(ranked).as("keys %s", keys).containsExactly(direct);
    }
    Object[] ranks = RowOrder.ranked(new Object[] {"b", null, "\uD83D\uDE00", "\uE000", "b"});
    assertThat(ranks).containsExactly(0, null, 2, 1, 0);
  }

  private static String random(Random random) {
    StringBuilder s = new StringBuilder();
    int n = random.nextInt(5);
    for (int i = 0; i < n; i++) {
      s.append(PIECES[random.nextInt(PIECES.length)]);
    }
    if (random.nextInt(20) == 0) {
      // a lone high or low surrogate
      s.append(random.nextBoolean() ? '\uD801' : '\uDC01');
    }
    return s.toString();
  }

  private static int byCodePoints(String a, String b) {
    int[] x = a.codePoints().toArray();
    int[] y = b.codePoints().toArray();
    return Arrays.compare(x, y);
  }

  private static boolean wellFormed(String s) {
    return StandardCharsets.UTF_8.newEncoder().canEncode(s);
  }

  private static int utf8(String a, String b) {
    return Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder();
    s.chars()
        .forEach(c -> out.append(c < 128 ? String.valueOf((char) c) : String.format("\\u%04X", c)));
    return out.toString();
  }
}
