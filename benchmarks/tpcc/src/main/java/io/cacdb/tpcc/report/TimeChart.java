package io.cacdb.tpcc.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A PNG line chart over time (headless XChart): any number of series, and vertical event markers with labels (a
 * server kill, the end of the warm-up). The throughput chart of a run is one use; the failover experiment adds its
 * own series and markers.
 */
public final class TimeChart {

    /** Default size: wide enough to see single seconds of a 10-minute run. */
    public static final int DEFAULT_WIDTH_PIXELS = 1400;
    public static final int DEFAULT_HEIGHT_PIXELS = 700;

    private record Line(String name, double[] x, double[] y, Color color, float width, boolean dashed) {
    }

    private record Marker(double x, String label) {
    }

    private final String title;
    private final String xTitle;
    private final String yTitle;
    private final List<Line> lines = new ArrayList<>();
    private final List<Marker> markers = new ArrayList<>();

    public TimeChart(String title, String xTitle, String yTitle) {
        this.title = title;
        this.xTitle = xTitle;
        this.yTitle = yTitle;
    }

    /** Adds a series; {@code x} and {@code y} have the same length. */
    public TimeChart line(String name, double[] x, double[] y, Color color, float widthPixels) {
        return add(new Line(name, x, y, color, widthPixels, false));
    }

    public TimeChart dashedLine(String name, double[] x, double[] y, Color color, float widthPixels) {
        return add(new Line(name, x, y, color, widthPixels, true));
    }

    private TimeChart add(Line l) {
        if (l.x().length != l.y().length) {
            throw new IllegalArgumentException(l.name() + ": " + l.x().length + " x values, " + l.y().length + " y");
        }
        lines.add(l);
        return this;
    }

    /** A vertical dashed red marker at {@code x} with a label near the top of the plot. */
    public TimeChart event(double x, String label) {
        markers.add(new Marker(x, label));
        return this;
    }

    public void writePng(Path file) throws IOException {
        writePng(file, DEFAULT_WIDTH_PIXELS, DEFAULT_HEIGHT_PIXELS);
    }

    public void writePng(Path file, int width, int height) throws IOException {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        Styler s = chart.getStyler();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        chart.getStyler().setXAxisDecimalPattern("#,##0");
        s.setChartBackgroundColor(Color.WHITE);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setAnnotationLineColor(new Color(200, 30, 30));
        s.setAnnotationLineStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {6f, 4f}, 0f));
        s.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        s.setAnnotationTextFontColor(new Color(200, 30, 30));
        double maxY = 1;
        for (Line l : lines) {
            double[] x = l.x().length == 0 ? new double[] {0} : l.x();
            double[] y = l.y().length == 0 ? new double[] {0} : l.y();
            XYSeries series = chart.addSeries(l.name(), x, y);
            series.setMarker(SeriesMarkers.NONE);
            series.setLineColor(l.color());
            series.setLineWidth(l.width());
            if (l.dashed()) {
                series.setLineStyle(new BasicStroke(l.width(), BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                        new float[] {5f, 4f}, 0f));
            }
            for (double v : y) {
                if (!Double.isNaN(v)) {
                    maxY = Math.max(maxY, v);
                }
            }
        }
        // Head room above the highest line for the legend and the event labels.
        chart.getStyler().setYAxisMax(maxY * 1.25);
        for (Marker m : markers) {
            chart.addAnnotation(new AnnotationLine(m.x(), true, false));
            chart.addAnnotation(new AnnotationText(" " + m.label(), m.x(), maxY * 1.15, false));
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Trailing moving average over {@code window} points (fewer at the start); NaN inputs are skipped. */
    public static double[] movingAverage(double[] y, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, was " + window);
        }
        double[] out = new double[y.length];
        double sum = 0;
        int n = 0;
        for (int i = 0; i < y.length; i++) {
            if (!Double.isNaN(y[i])) {
                sum += y[i];
                n++;
            }
            int drop = i - window;
            if (drop >= 0 && !Double.isNaN(y[drop])) {
                sum -= y[drop];
                n--;
            }
            out[i] = n == 0 ? Double.NaN : sum / n;
        }
        return out;
    }
}
