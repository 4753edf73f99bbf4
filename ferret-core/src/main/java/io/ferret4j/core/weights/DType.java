package io.ferret4j.core.weights;

import java.util.Locale;

/**
 * Element types found in checkpoints, with their safetensors names and PyTorch storage class names.
 */
public enum DType {
    F64(8, "DoubleStorage"),
    F32(4, "FloatStorage"),
    F16(2, "HalfStorage"),
    BF16(2, "BFloat16Storage"),
    I64(8, "LongStorage"),
    I32(4, "IntStorage"),
    I16(2, "ShortStorage"),
    I8(1, "CharStorage"),
    U8(1, "ByteStorage"),
    BOOL(1, "BoolStorage");

    private final int byteSize;
    private final String torchStorage;

    DType(int byteSize, String torchStorage) {
        this.byteSize = byteSize;
        this.torchStorage = torchStorage;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The safetensors header spelling ({@code "F16"}, {@code "BF16"}, ...). */
    public String safetensorsName() {
        return name();
    }

    /** Parses a safetensors dtype string, or throws naming the unknown value. */
    public static DType fromSafetensors(String name) {
        try {
            return DType.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown dtype '" + name + "'");
        }
    }

    /** Maps a {@code torch.*Storage} class name to its dtype, or throws naming the class. */
    public static DType fromTorchStorage(String className) {
        for (DType t : values()) {
            if (t.torchStorage.equals(className)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported storage type torch." + className);
    }

    /** True for F64, F32, F16 and BF16. */
    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }
}
