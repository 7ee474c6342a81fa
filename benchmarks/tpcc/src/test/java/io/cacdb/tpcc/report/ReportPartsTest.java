package io.cacdb.tpcc.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportPartsTest {

    @Test
    void movingAverageIsTrailingAndSkipsNaN() {
        double[] y = {10, 20, 30, 40, Double.NaN, 60};
        double[] avg = TimeChart.movingAverage(y, 3);
        assertArrayEquals(new double[] {10, 15, 20, 30, 35, 50}, avg, 1e-9);
    }

    @Test
    void jsonEscapesAndOrders() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", 1.5);
        m.put("a", "say \"hi\"\n");
        m.put("n", Double.NaN);
        m.put("l", List.of(1, true));
        m.put("whole", 3.0);
        String json = Json.write(m);
        assertEquals("""
                {
                  "b": 1.5,
                  "a": "say \\"hi\\"\\n",
                  "n": null,
                  "l": [
                    1,
                    true
                  ],
                  "whole": 3
                }
                """, json);
    }

    @Test
    void chartWithSeveralSeriesAndEventsRendersHeadless(@TempDir Path dir) throws Exception {
        double[] x = new double[120];
        double[] y = new double[120];
        double[] z = new double[120];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
            y[i] = i >= 60 && i < 75 ? 0 : 800 + (i % 7) * 10;
            z[i] = y[i] * 0.45;
        }
        Path png = dir.resolve("chart.png");
        new TimeChart("test", "s", "commits/s").line("a", x, y, java.awt.Color.GRAY, 1f)
                .line("b", x, TimeChart.movingAverage(y, 10), java.awt.Color.BLUE, 3f)
                .dashedLine("c", x, z, java.awt.Color.RED, 1.5f)
                .event(60, "kill").event(75.5, "back").writePng(png, 900, 450);
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image);
        assertEquals(900, image.getWidth());
        assertTrue(System.getProperty("java.awt.headless", "false").equals("true")
                || java.awt.GraphicsEnvironment.isHeadless(), "rendered without a display");
    }
}
