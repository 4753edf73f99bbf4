package io.ferret4j.core.weights;

import static io.ferret4j.core.weights.TorchFixtures.checkpoint;
import static io.ferret4j.core.weights.TorchFixtures.f32Range;
import static io.ferret4j.core.weights.TorchFixtures.openFiles;
import static io.ferret4j.core.weights.TorchFixtures.stateDict;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.weights.TorchFixtures.Pickle;
import io.ferret4j.core.weights.TorchFixtures.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed and malicious {@code .bin} files: each is refused with a message naming the file and the problem. */
final class PyTorchCheckpointRejectionTest {
    private static final Spec FOUR = Spec.contiguous("w", "FloatStorage", "0", 4);

    @TempDir
    Path dir;

    /** A bad file and the fragments its error message must contain (besides the file name). */
    private record Case(String what, Path file, String... fragments) {
    }

    @Test
    void refusesTruncatedFiles() throws IOException {
        byte[] good = Files.readAllBytes(Goldens.path("ferret/checkpoint/vision_tower/pytorch_model.bin"));
        for (int length : new int[] {0, 10, 4096, good.length / 2, good.length - 1}) {
            Path cut = Files.write(dir.resolve("cut" + length + ".bin"), Arrays.copyOf(good, length));
            assertThatThrownBy(() -> Checkpoints.open(cut)).as("length %d", length)
                    .isInstanceOf(CheckpointException.class).hasMessageContaining(cut.toString())
                    .hasMessageMatching(".*(too short for a zip archive|no end-of-central-directory record).*");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"os.system", "builtins.eval", "builtins.exec", "builtins.getattr", "posix.system",
        "nt.system", "subprocess.Popen", "__builtin__.eval", "torch._utils._rebuild_tensor", "torch.load",
        "torch.storage._load_from_bytes", "torch.ComplexFloatStorage", "numpy.core.multiarray._reconstruct",
        "collections.defaultdict", "torch._utils._rebuild_tensor_v2x"})
    void refusesEveryGlobalOutsideTheWhitelist(String qualified) throws IOException {
        int dot = qualified.lastIndexOf('.');
        String module = qualified.substring(0, dot);
        String name = qualified.substring(dot + 1);
        byte[] viaGlobal = new Pickle().proto(2).global(module, name).op(')', 'R', '.').bytes();
        byte[] viaStackGlobal = new Pickle().proto(4).shortStr(module).shortStr(name).op(0x93, ')', 'R', '.').bytes();
        for (byte[] pickle : List.of(viaGlobal, viaStackGlobal)) {
            Path file = checkpoint(dir.resolve("evil.bin"), pickle, Map.of());
            assertThatThrownBy(() -> PyTorchCheckpoint.open(file)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("archive/data.pkl")
                    .hasMessageContaining("global '" + qualified + "'").hasMessageContaining("not allowed");
        }
    }

    @Test
    void neverRunsWhatAPickleNames() throws IOException {
        Path marker = dir.resolve("pwned");
        byte[] exploit = new Pickle().proto(2).global("posix", "system").op('(').str("touch " + marker)
                .op('t', 'R', '.').bytes();
        Path file = checkpoint(dir.resolve("exploit.bin"), exploit, Map.of());
        assertThatThrownBy(() -> Checkpoints.open(file)).hasMessageContaining("'posix.system'");
        assertThat(marker).doesNotExist();
    }

    @Test
    void refusesEachMalformedFileNamingItAndTheProblem() throws IOException {
        for (Case c : malformedFiles()) {
            assertThatThrownBy(() -> Checkpoints.open(c.file())).as(c.what())
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(c.file().getFileName().toString())
                    .satisfies(e -> assertThat(e.getMessage()).as(c.what()).contains(c.fragments()));
        }
    }

    @Test
    void failedOpensDoNotLeakFileHandles() throws IOException {
        List<Case> cases = malformedFiles();
        long before = openFiles();
        for (int i = 0; i < 20; i++) {
            for (Case c : cases) {
                assertThatThrownBy(() -> Checkpoints.open(c.file())).isInstanceOf(CheckpointException.class);
            }
        }
        assertThat(openFiles()).as("after %d failed opens", 20 * cases.size()).isLessThan(before + 5);
    }

    private List<Case> malformedFiles() throws IOException {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("no data.pkl", TorchFixtures.zip(dir.resolve("nopickle.bin"),
                Map.of("archive/data/0", f32Range(4)), List.of()), "no <prefix>/data.pkl"));
        cases.add(new Case("not a zip", Files.write(dir.resolve("legacy.bin"), stateDict(List.of(FOUR))),
                "not a zip archive"));
        for (int[] op : new int[][] {{'i'}, {'o'}, {0x81}, {0x82, 1}, {'P'}, {'2'}, {0xff}, {'0'}}) {
            byte[] pickle = new Pickle().proto(2).op('}').op(op).bytes();
            String hex = String.format("0x%02x", op[0]);
            cases.add(new Case("opcode " + hex, checkpoint(dir.resolve("opcode" + op[0] + ".bin"), pickle,
                    Map.of()), "unsupported pickle opcode " + hex, "at byte 3"));
        }
        cases.add(new Case("compressed storage", TorchFixtures.zip(dir.resolve("deflated.bin"), records(
                stateDict(List.of(FOUR)), f32Range(4)), List.of("archive/data/0")),
                "'archive/data/0' is compressed (method 8)"));
        cases.add(new Case("storage record shorter than numel", checkpoint(dir.resolve("short.bin"),
                stateDict(List.of(FOUR)), Map.of("0", f32Range(3))),
                "tensor 'w'", "should hold 4 x F32 = 16 bytes", "has 12 bytes"));
        cases.add(new Case("view past its storage", checkpoint(dir.resolve("view.bin"),
                stateDict(List.of(new Spec("w", "FloatStorage", "0", 4, 1, new long[] {2, 2}, new long[] {2, 1}))),
                Map.of("0", f32Range(4))), "tensor 'w'", "reaches element 4", "storage '0' of 4 elements"));
        cases.add(new Case("negative stride", checkpoint(dir.resolve("stride.bin"),
                stateDict(List.of(new Spec("w", "FloatStorage", "0", 4, 3, new long[] {4}, new long[] {-1}))),
                Map.of("0", f32Range(4))), "tensor 'w'", "malformed view"));
        cases.add(new Case("storage record missing", checkpoint(dir.resolve("missing.bin"),
                stateDict(List.of(FOUR)), Map.of()), "storage record 'archive/data/0' is missing"));
        cases.add(new Case("no STOP", checkpoint(dir.resolve("nostop.bin"),
                new Pickle().proto(2).op('}').bytes(), Map.of()), "without a STOP"));
        cases.add(new Case("string past the end", checkpoint(dir.resolve("longstr.bin"),
                new Pickle().proto(2).op('X').int32(1 << 30).bytes(), Map.of()), "declares a string of 1073741824"));
        cases.add(new Case("unknown memo", checkpoint(dir.resolve("memo.bin"),
                new Pickle().proto(2).op('h', 7).bytes(), Map.of()), "memo index 7"));
        cases.add(new Case("protocol 6", checkpoint(dir.resolve("proto.bin"),
                new Pickle().proto(6).bytes(), Map.of()), "pickle protocol 6"));
        cases.add(new Case("root not a dict", checkpoint(dir.resolve("list.bin"),
                new Pickle().proto(2).op(']', '.').bytes(), Map.of()), "not a state dict"));
        cases.add(new Case("value not a tensor", checkpoint(dir.resolve("value.bin"),
                new Pickle().proto(2).op('}').str("w").integer(3).op('s', '.').bytes(), Map.of()),
                "str 'w' -> 3 is not a name -> tensor pair"));
        cases.add(new Case("calling a storage class", checkpoint(dir.resolve("call.bin"),
                new Pickle().proto(2).global("torch", "FloatStorage").op(')', 'R', '.').bytes(), Map.of()),
                "REDUCE calls global torch.FloatStorage"));
        cases.add(new Case("bad persistent id", checkpoint(dir.resolve("pid.bin"),
                new Pickle().proto(2).op('(').str("module").str("x").op('t', 'Q', '.').bytes(), Map.of()),
                "persistent id [str 'module', str 'x'] is not ('storage'"));
        cases.add(new Case("big-endian writer", TorchFixtures.zip(dir.resolve("bigendian.bin"),
                withByteOrder(records(stateDict(List.of(FOUR)), f32Range(4)), "big"), List.of()),
                "archive/byteorder says 'big'"));
        return cases;
    }

    @Test
    void refusesAnIndexNamingAMissingShard() throws IOException {
        checkpoint(dir.resolve("shard-1.bin"), stateDict(List.of(FOUR)), Map.of("0", f32Range(4)));
        Path index = Files.writeString(dir.resolve("pytorch_model.bin.index.json"),
                "{\"weight_map\":{\"w\":\"shard-1.bin\",\"v\":\"shard-2.bin\"}}");
        long before = openFiles();
        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> Checkpoints.open(index)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("pytorch_model.bin.index.json")
                    .hasMessageContaining("shard 'shard-2.bin' named for tensor 'v' does not exist");
        }
        assertThat(openFiles()).isLessThan(before + 5);
    }

    @Test
    void refusesAnIndexMappingATensorToTheWrongShard() throws IOException {
        checkpoint(dir.resolve("shard-1.bin"), stateDict(List.of(FOUR)), Map.of("0", f32Range(4)));
        checkpoint(dir.resolve("shard-2.bin"), stateDict(List.of(Spec.contiguous("v", "FloatStorage", "0", 2))),
                Map.of("0", f32Range(2)));
        Path index = Files.writeString(dir.resolve("pytorch_model.bin.index.json"),
                "{\"weight_map\":{\"w\":\"shard-1.bin\",\"v\":\"shard-1.bin\"}}");
        long before = openFiles();
        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> Checkpoints.open(index)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("pytorch_model.bin.index.json")
                    .hasMessageContaining("tensor 'v' is mapped to shard 'shard-1.bin' which does not contain it");
        }
        assertThat(openFiles()).isLessThan(before + 5);
    }

    private static Map<String, byte[]> records(byte[] pickle, byte[] storage0) {
        Map<String, byte[]> r = new LinkedHashMap<>();
        r.put("archive/data.pkl", pickle);
        r.put("archive/data/0", storage0);
        return r;
    }

    private static Map<String, byte[]> withByteOrder(Map<String, byte[]> records, String order) {
        records.put("archive/byteorder", order.getBytes(StandardCharsets.US_ASCII));
        return records;
    }
}
