/**
 * {@code ferret batch}: many refer, ground and ask tasks read from a JSON Lines file, answered by one model, each
 * answer or error written as one whole line of another. {@link io.ferret4j.examples.batch.TaskRunner} turns one
 * task into its answer or error; the command line and the Spark transformer both run tasks through it.
 */
package io.ferret4j.examples.batch;
