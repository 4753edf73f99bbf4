package io.ferret4j.core.weights;

/** Names of the pickle opcodes (protocols 0 to 5), for error messages about opcodes that are refused. */
final class PickleOpcodes {
    private static final String[] OPCODE_NAMES = opcodeNames();

    private PickleOpcodes() {
    }

    /** {@code 0x69 (INST)}: the byte in hex and, for a known opcode, its name. */
    static String name(int op) {
        String name = OPCODE_NAMES[op];
        return String.format("0x%02x", op) + (name == null ? "" : " (" + name + ")");
    }

    private static String[] opcodeNames() {
        String[] n = new String[256];
        String table = "(MARK .STOP 0POP 1POP_MARK 2DUP FFLOAT IINT JBININT KBININT1 LLONG MBININT2 NNONE PPERSID "
                + "QBINPERSID RREDUCE SSTRING TBINSTRING USHORT_BINSTRING VUNICODE XBINUNICODE aAPPEND bBUILD "
                + "cGLOBAL dDICT }EMPTY_DICT eAPPENDS gGET hBINGET iINST jLONG_BINGET lLIST ]EMPTY_LIST oOBJ "
                + "pPUT qBINPUT rLONG_BINPUT sSETITEM tTUPLE )EMPTY_TUPLE uSETITEMS GBINFLOAT BBINBYTES "
                + "CSHORT_BINBYTES";
        for (String entry : table.split(" ")) {
            n[entry.charAt(0)] = entry.substring(1);
        }
        String[] high = {"PROTO", "NEWOBJ", "EXT1", "EXT2", "EXT4", "TUPLE1", "TUPLE2", "TUPLE3", "NEWTRUE",
            "NEWFALSE", "LONG1", "LONG4", "SHORT_BINUNICODE", "BINUNICODE8", "BINBYTES8", "EMPTY_SET", "ADDITEMS",
            "FROZENSET", "NEWOBJ_EX", "STACK_GLOBAL", "MEMOIZE", "FRAME", "BYTEARRAY8", "NEXT_BUFFER",
            "READONLY_BUFFER"};
        for (int i = 0; i < high.length; i++) {
            n[0x80 + i] = high[i];
        }
        return n;
    }
}
