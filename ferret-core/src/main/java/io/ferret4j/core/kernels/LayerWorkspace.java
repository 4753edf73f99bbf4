package io.ferret4j.core.kernels;

import java.util.function.Supplier;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs one layer's forward pass (or part of one) inside a per-thread ND4J workspace that the next layer reuses,
 * and returns the layer's output detached from it. ND4J frees an ordinary array only after the garbage collector has reclaimed its
 * Java object, which a forward pass allocating few Java objects rarely triggers: a ViT-L layer's temporaries
 * (~55 MB per image) grew the process by ~1 GB per image, and a 7B decoder layer's at a 714-row prefill (349 MB
 * of them, measured) by several GB per prompt. In the workspace they cost one buffer, sized by the first
 * call and grown when a larger one spills. Every model's layers share the thread's one workspace, so the image
 * encoder reuses the language model's buffer instead of keeping its own beside it.
 *
 * <p>Everything allocated inside belongs to the workspace and is overwritten by the next layer: state that must
 * outlive the call (caches, reusable scratch) has to be created by {@link #outside} or before the
 * call, and only the returned array may escape.
 */
public final class LayerWorkspace {
    private static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE).overallocationLimit(0.1)
            .policyLearning(LearningPolicy.FIRST_LOOP).policySpill(SpillPolicy.REALLOCATE).build();

    private static final String ID = "ferret4j-layer";

    private LayerWorkspace() {
    }

    /**
     * {@code forward}'s result, computed inside the calling thread's layer workspace and detached from it. Calls do
     * not nest: {@code forward} must not run another layer through this class.
     */
    @SuppressWarnings("try")                                           // the workspace is used implicitly by ND4J
    public static INDArray run(Supplier<INDArray> forward) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, ID)) {
            return forward.get().detach();
        }
    }

    /**
     * {@code create}'s array, made outside any workspace even when called inside a layer: for state that outlives
     * the layer (reusable scratch kept between calls).
     */
    @SuppressWarnings("try")                                           // the scope is used implicitly by ND4J
    public static INDArray outside(Supplier<INDArray> create) {
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return create.get();
        }
    }
}
