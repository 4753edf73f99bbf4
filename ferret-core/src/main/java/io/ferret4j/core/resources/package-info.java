/**
 * Ownership of native resources: {@link io.ferret4j.core.resources.Resources} closes the parts an object owns, in
 * order and once.
 */
package io.ferret4j.core.resources;
