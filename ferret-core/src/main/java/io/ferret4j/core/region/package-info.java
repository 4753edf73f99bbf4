/**
 * Regions a question can refer to (points, boxes, polygons, scribbles, masks) in original-image pixels, their
 * rasterisation to the masks Ferret's sampler reads, and the conversion to and from the model's 1000-grid text
 * coordinates. Masks here are row-major {@code [y][x]}; the sampler's x-major reading of them lives in the sampler.
 */
package io.ferret4j.core.region;
