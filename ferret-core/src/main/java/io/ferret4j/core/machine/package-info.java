/** The machine a benchmark ran on, reported beside its figures. */
package io.ferret4j.core.machine;
