/**
 * The vocabulary of how Ferret runs: {@link io.ferret4j.core.plan.ExecutionPlan} says, per part of the model, how
 * its weights are held ({@link io.ferret4j.core.plan.WeightFormat}, {@link io.ferret4j.core.plan.Conversion}), in
 * which arithmetic its products run ({@link io.ferret4j.core.plan.Precision}) and on which
 * {@link io.ferret4j.core.plan.Engine}; {@link io.ferret4j.core.plan.KvCacheFormat} says how answers cache keys and
 * values. It depends on no other package of ferret-core.
 */
package io.ferret4j.core.plan;
