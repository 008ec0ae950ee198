package dev.pier.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Draws every peer's ratio to the reference as horizontal bars, one group per scenario, as a standalone SVG. */
final class SvgChart {

    private static final int WIDTH = 860;
    private static final int LABEL_WIDTH = 190;
    private static final int PLOT_WIDTH = 560;
    private static final int BAR_HEIGHT = 16;
    private static final int ROW_HEIGHT = 22;
    private static final int HEADER_HEIGHT = 30;
    private static final double MAX_SCALE = 4;
    private static final String[] PALETTE = {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    private SvgChart() {
    }

    static String render(List<Report.Row> rows, Settings settings) {
        Map<String, String> colours = new LinkedHashMap<>();
        for (Report.Row row : rows) {
            colours.computeIfAbsent(row.peer(), peer -> PALETTE[colours.size() % PALETTE.length]);
        }
        double largest = rows.stream().mapToDouble(Report.Row::ratio).filter(r -> !Double.isNaN(r)).max().orElse(1);
        // Bars longer than MAX_SCALE are clipped (their label still tells the ratio) so one outlier cannot flatten
        // every other bar.
        double scale = Math.max(1.25, Math.min(MAX_SCALE, largest * 1.05));
        List<String> body = new ArrayList<>();
        int y = 56;
        Scenario current = null;
        for (Report.Row row : rows) {
            if (row.scenario() != current) {
                current = row.scenario();
                y += 10;
                body.add(text(10, y + 14, "start", "bold", current.title(settings) + " — " + current.unit + " × "
                        + current.reference() + ", " + (current.higherIsBetter ? "higher" : "lower") + " is better"));
                y += HEADER_HEIGHT - 8;
            }
            body.add(text(LABEL_WIDTH - 8, y + 12, "end", "normal", row.peer()));
            if (Double.isNaN(row.ratio())) {
                body.add(text(LABEL_WIDTH + 4, y + 12, "start", "normal", "no figure"));
            } else {
                double width = Math.min(row.ratio(), scale) / scale * PLOT_WIDTH;
                body.add(String.format(Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
                        LABEL_WIDTH, y, width, BAR_HEIGHT, colours.get(row.peer())));
                body.add(text((int) (LABEL_WIDTH + width + 6), y + 12, "start", "normal",
                        Report.ratio(row.ratio()) + "× (" + Report.number(row.figure()) + ")"));
            }
            y += ROW_HEIGHT;
        }
        int height = y + 20;
        int referenceX = LABEL_WIDTH + (int) Math.round(PLOT_WIDTH / scale);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height, WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        svg.append(text(10, 22, "start", "bold", "Pier benchmarks: each figure as a ratio to the scenario's reference"
                + (settings.smoke() ? " (SMOKE RUN, not a measurement)" : ""))).append('\n');
        svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"40\" x2=\"%d\" y2=\"%d\" stroke=\"#444\" stroke-dasharray=\"4 3\"/>%n",
                referenceX, referenceX, height - 10));
        svg.append(text(referenceX, 50, "middle", "normal", "1.0 = the reference")).append('\n');
        body.forEach(line -> svg.append(line).append('\n'));
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static String text(int x, int y, String anchor, String weight, String content) {
        return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" font-weight=\"%s\">%s</text>",
                x, y, anchor, weight, escape(content));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
