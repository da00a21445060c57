import { describe, expect, it } from "vitest";
import { transformerSnapshot } from "../../src/model/transformer-io.ts";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import { WEIGHT_COLORS } from "../../src/viz/network-svg.ts";
import { drawTransformer } from "../../src/viz/transformer-svg.ts";
import { randomTensors } from "../helpers/transformer-oracle.ts";
import { circles, expectWellFormedSvg, lines, texts } from "./svg-check.ts";

const lm: TransformerSpec = {
  kind: "transformer", vocab: 5, outDim: 5, ctx: 4, dModel: 6, nHeads: 2, dHead: 2, nLayers: 2, dMlp: 3,
  norm: "layernorm", act: "gelu", positions: true, unembedBias: false,
};
const snap = (spec: TransformerSpec, seed = 1) => transformerSnapshot(spec, randomTensors(transformerTensors(spec), seed));

/** Row labels from the bottom up, and each row's y. */
function rowsOf(svg: string) {
  const labels = ["tokens", "input", "embed", "attn 0", "attn 1", "resid", "MLP 0", "MLP 1", "output"];
  return texts(svg).filter((t) => labels.includes(t.content)).sort((a, b) => b.y - a.y);
}

describe("drawTransformer", () => {
  it("stacks input, embed, per block attention / resid / MLP / resid, output, bottom to top", () => {
    const svg = drawTransformer(snap(lm), { title: "lm <1>" });
    expectWellFormedSvg(svg);
    expect(rowsOf(svg).map((t) => t.content)).toEqual(
      ["tokens", "embed", "attn 0", "resid", "MLP 0", "resid", "attn 1", "resid", "MLP 1", "resid", "output"]);
    // every neuron a dot: attention slots show q, k and v side by side
    expect(circles(svg).length).toBe(5 + 6 + (3 * 4 + 6 + 3 + 6) * 2 + 5);
    expect(texts(svg).filter((t) => t.content.startsWith("head ")).length).toBe(4);
    expect(svg).toContain("lm &lt;1&gt;");
    expect(drawTransformer(snap(lm))).toBe(drawTransformer(snap(lm)));
  });

  it("draws one line per non-zero weight, coloured by sign, widths by |w| / max|W| of the map", () => {
    const s = snap(lm, 2);
    s.tensors["0.o.weight"][0] = 0;
    const drawn = lines(drawTransformer(s));
    const maps = ["tok", "0.qkv.weight", "0.o.weight", "0.mlp.in.weight", "0.mlp.out.weight", "1.qkv.weight",
      "1.o.weight", "1.mlp.in.weight", "1.mlp.out.weight", "unembed.weight"];
    const total = maps.reduce((n, m) => n + s.tensors[m].filter((v) => v !== 0).length, 0);
    expect(drawn.length).toBe(total);
    const positive = maps.reduce((n, m) => n + s.tensors[m].filter((v) => v > 0).length, 0);
    expect(drawn.filter((l) => l.stroke === WEIGHT_COLORS.positive).length).toBe(positive);
    expect(Math.max(...drawn.map((l) => l.width))).toBeCloseTo(2.5, 3);
  });

  it("draws a map read after a LayerNorm by its effective weights W·diag(gain): a zero gain hides the map", () => {
    const s = snap(lm, 3);
    s.tensors["lnf.g"].fill(0);
    const drawn = lines(drawTransformer(s));
    const rows = rowsOf(drawTransformer(s));
    const outputY = rows[rows.length - 1].y - 4; // the label sits 4 px below its row
    expect(drawn.filter((l) => Math.abs(l.y2 - outputY) < 1).length).toBe(0);
    const t = snap(lm, 3);
    expect(lines(drawTransformer(t)).filter((l) => Math.abs(l.y2 - outputY) < 1).length).toBe(5 * 6);
  });

  it("labels tokens with their names, vector inputs and outputs with x / y; caps the lines per map", () => {
    const withNames = drawTransformer(snap(lm), { tokenNames: ["a", "b", "c", "d", "="] });
    expect(texts(withNames).filter((t) => t.content === "=").length).toBe(2);
    const vec: TransformerSpec = { ...lm, vocab: undefined, inDim: 2, outDim: 2, norm: "none", positions: false, unembedBias: true };
    const svg = drawTransformer(snap(vec), { maxLinesPerMap: 3 });
    expectWellFormedSvg(svg);
    expect(texts(svg).map((t) => t.content)).toEqual(expect.arrayContaining(["x1", "x2", "y1", "y2", "input"]));
    expect(lines(svg).length).toBe(3 * 10);
  });
});
