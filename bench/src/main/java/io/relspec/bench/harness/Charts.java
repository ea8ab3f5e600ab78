package io.relspec.bench.harness;

import java.util.List;
import java.util.Locale;

/** A plain SVG bar chart of median times per case and lane (no plotting library needed). */
final class Charts {
  private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2"};

  private Charts() {}

  static String bars(String title, List<SideBySide.CaseResult> results) {
    int barHeight = 22;
    int gap = 14;
    int labelWidth = 300;
    int chartWidth = 500;
    double max = 0;
    int bars = 0;
    for (SideBySide.CaseResult result : results) {
      for (String lane : result.millis().keySet()) {
        max = Math.max(max, result.median(lane));
        bars++;
      }
    }
    int height = 40 + bars * barHeight + results.size() * gap + 20;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
            labelWidth + chartWidth + 120,
            height));
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"10\" y=\"20\" font-size=\"15\">%s (median ms, lower is better)</text>%n",
            escape(title)));
    int y = 40;
    for (SideBySide.CaseResult result : results) {
      int color = 0;
      for (String lane : result.millis().keySet()) {
        double median = result.median(lane);
        int width = max == 0 ? 0 : (int) Math.round(chartWidth * median / max);
        svg.append(
            String.format(
                Locale.ROOT,
                "<text x=\"10\" y=\"%d\">%s / %s</text>%n",
                y + 15,
                escape(result.name()),
                escape(lane)));
        svg.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>%n",
                labelWidth,
                y,
                Math.max(1, width),
                barHeight - 4,
                COLORS[color++ % COLORS.length]));
        svg.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\">%.1f ms (%.2fx)</text>%n",
                labelWidth + width + 6,
                y + 15,
                median,
                result.ratio(lane)));
        y += barHeight;
      }
      y += gap;
    }
    return svg.append("</svg>\n").toString();
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
