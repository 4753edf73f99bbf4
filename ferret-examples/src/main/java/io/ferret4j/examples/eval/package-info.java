/**
 * {@code ferret eval}: the paper's evaluations (RefCOCO/+/g, Flickr30k Entities, LVIS referring, POPE). The
 * benchmarks ask the model as ml-ferret's {@code ferret/eval/model_*.py} do and write predictions in their format;
 * the scorers reproduce its {@code eval_*.py} exactly, quirks included, and warn where the reference silently drops
 * or mis-pairs data.
 */
package io.ferret4j.examples.eval;
