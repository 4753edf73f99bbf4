package io.ferret4j.examples.serve;

import java.util.concurrent.ThreadLocalRandom;

import io.javalin.http.Context;

/**
 * What the log line of one request reports: its id, regions, tokens in and out, time to the first text and total
 * time, and how it ended if not normally. Filled in by the threads serving the request, one at a time, and read
 * once the response is done.
 */
final class RequestRecord {
    private static final String ATTRIBUTE = "ferret.request";

    private final String id = String.format("%012x", ThreadLocalRandom.current().nextLong() >>> 16);
    private final long startNanos = System.nanoTime();
    private int regions;
    private int tokensIn;
    private int tokensOut;
    private long firstTextNanos;
    private String outcome = "";

    /** Starts the record of the request in {@code ctx}. */
    static void begin(Context ctx) {
        ctx.attribute(ATTRIBUTE, new RequestRecord());
    }

    /** The record of the request in {@code ctx}. */
    static RequestRecord of(Context ctx) {
        RequestRecord r = ctx.attribute(ATTRIBUTE);
        if (r == null) {
            throw new IllegalStateException("no request record: the before-handler did not run");
        }
        return r;
    }

    String id() {
        return id;
    }

    long startNanos() {
        return startNanos;
    }

    void regions(int n) {
        regions = n;
    }

    void tokens(int in, int out) {
        tokensIn = in;
        tokensOut = out;
    }

    /** Notes the first text of the answer (later calls change nothing). */
    void text() {
        if (firstTextNanos == 0) {
            firstTextNanos = System.nanoTime();
        }
    }

    /** How the request ended when its status does not say it: {@code disconnected}, an error code... */
    void outcome(String what) {
        outcome = " " + what;
    }

    /** The log line. */
    String line(String method, String path, int status) {
        long now = System.nanoTime();
        String ttft = firstTextNanos == 0 ? "-" : ms(firstTextNanos - startNanos);
        return "id=" + id + " " + method + " " + path + " " + status + outcome + " regions=" + regions + " tokens_in="
                + tokensIn + " tokens_out=" + tokensOut + " ttft=" + ttft + " total=" + ms(now - startNanos);
    }

    private static String ms(long nanos) {
        return nanos / 1_000_000 + "ms";
    }
}
