package io.ferret4j.examples.eval;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A scorer's output.
 *
 * @param metric         what {@code metric.json} holds
 * @param referenceLines the metric lines the reference scorer prints, worded and formatted as it prints them
 */
record ScoreOutcome(ObjectNode metric, List<String> referenceLines) {
}
