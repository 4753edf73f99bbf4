/**
 * Ferret's spatial-aware visual sampler ({@code GeoRegionSampler}): a region mask becomes 512 points, their
 * bilinear CLIP features, two rounds of farthest-point sampling, k-nearest-neighbour grouping and learned
 * aggregation, and finally one vector of the language model's width. Geometry runs on plain Java arrays in fp32
 * in the reference's operation order; the projections are batched ND4J gemms.
 */
package io.ferret4j.sampler;
