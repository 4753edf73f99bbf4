package io.ferret4j.examples.eval;

/** The questions of one benchmark's annotation file, in the order the reference asks them. */
interface EvalBenchmark {
    /** The number of questions. */
    int size();

    /** Question {@code index} (from 0); built on demand, so a large benchmark never holds all its regions. */
    EvalSample sample(int index);
}
