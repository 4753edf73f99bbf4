/**
 * Ferret on Spark: {@link io.ferret4j.spark.FerretTransformer} answers a table of refer/ground/ask tasks with one
 * model per executor JVM, through the same task runner as {@code ferret batch}, and
 * {@link io.ferret4j.spark.FerretSparkJob} is the {@code spark-submit} job that reads a task file or table and writes
 * the answers.
 */
package io.ferret4j.spark;
