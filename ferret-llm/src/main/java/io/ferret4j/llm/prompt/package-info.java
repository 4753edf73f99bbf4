/**
 * Ferret's text conventions: the {@code ferret_v1} conversation template, the text form of regions in a
 * prompt, and parsing the grid boxes and points that the model writes in its answers.
 */
package io.ferret4j.llm.prompt;
