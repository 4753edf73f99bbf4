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
 * <p>A layer runs either whole through {@link #run}, or as residual steps inside a scope ({@link #enter}) that
 * {@link #keep} empties between steps, so the workspace holds one step's temporaries at a time.
 *
 * <p>Everything allocated inside belongs to the workspace and is overwritten by the next layer: state that must
 * outlive the call (caches, reusable scratch) has to be created by {@link #outside} or before the
 * call, and only the returned or kept arrays may escape.
 */
public final class LayerWorkspace implements AutoCloseable {
    private static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE).overallocationLimit(0.1)
            .policyLearning(LearningPolicy.FIRST_LOOP).policySpill(SpillPolicy.REALLOCATE).build();

    private static final String ID = "ferret4j-layer";

    private MemoryWorkspace active;                                    // null once closed
    private INDArray kept;                                             // what the last keep returned, or null

    private LayerWorkspace() {
        this.active = activate();
    }

    /**
     * Enters the calling thread's layer workspace until {@link #close}: arrays created meanwhile live in it. Scopes
     * do not nest, nor run inside {@link #run}.
     */
    public static LayerWorkspace enter() {
        return new LayerWorkspace();
    }

    /**
     * {@code result} detached from the workspace, which is then emptied for the next residual step: the end of one
     * step ({@code hidden_states = residual + sublayer(...)}). The array the previous {@code keep} returned, the
     * residual this step consumed, is freed; the one returned here lives until the next {@code keep} or, for the
     * last, until the caller closes it.
     */
    public INDArray keep(INDArray result) {
        if (active == null) {
            throw new IllegalStateException("the layer workspace scope was closed");
        }
        INDArray detached = result.detach();
        active.close();
        if (kept != null) {
            kept.close();
        }
        kept = detached;
        active = activate();
        return detached;
    }

    /** Leaves the workspace; arrays created in it since the last {@link #keep} are overwritten by the next layer. */
    @Override
    public void close() {
        if (active != null) {
            active.close();
            active = null;
        }
    }

    private static MemoryWorkspace activate() {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, ID);
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
