package io.cacdb.cli.experiment;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples one node's buffer-pool occupancy ({@link NodeMetrics#bufferPoolOccupancy()}) once a second on a daemon
 * thread while a run goes: the standby's pool before the kill (how warm it is kept), the same node's after it takes
 * over. A node that does not answer (restarting) gives no sample for that second. Bounded: at most
 * {@code maxSamples} samples.
 */
public final class OccupancyPoller implements AutoCloseable {

    /** Once a second: the chart's resolution. */
    static final Duration INTERVAL = Duration.ofSeconds(1);

    /** One sample: seconds since the run's start, resident pages / frames in percent. */
    public record Sample(double second, double percent) {
    }

    private final String host;
    private final int adminPort;
    private final long startNanos;
    private final int maxSamples;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;

    OccupancyPoller(String host, int adminPort, long startNanos, int maxSamples) {
        this.host = host;
        this.adminPort = adminPort;
        this.startNanos = startNanos;
        this.maxSamples = maxSamples;
        this.thread = Thread.ofPlatform().daemon(true).name("experiment-occupancy").unstarted(this::poll);
        thread.start();
    }

    private void poll() {
        long next = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
                next += INTERVAL.toNanos();
                double occupancy = NodeMetrics.scrape(host, adminPort).bufferPoolOccupancy();
                if (!Double.isNaN(occupancy)) {
                    synchronized (samples) {
                        if (samples.size() < maxSamples) {
                            samples.add(new Sample((System.nanoTime() - startNanos) / 1e9, occupancy * 100));
                        }
                    }
                }
            } catch (IOException e) {
                // the node is down (killed, restarting): no sample this second; the gap shows on the chart
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(Duration.ofSeconds(5));
    }
}
