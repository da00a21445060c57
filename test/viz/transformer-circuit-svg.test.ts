import { describe, expect, it } from "vitest";
import { transformerSnapshot } from "../../src/model/transformer-io.ts";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import { WEIGHT_COLORS } from "../../src/viz/network-svg.ts";
import type { SvgNode } from "../../src/viz/svg.ts";
import { CIRCUIT_COLORS, circuitView, parseEdgeName, parseNode } from "../../src/viz/transformer-circuit-svg.ts";
import { drawTransformer, transformerScene } from "../../src/viz/transformer-svg.ts";
import { randomTensors } from "../helpers/transformer-oracle.ts";
import { expectWellFormedSvg, lines, texts } from "./svg-check.ts";

const spec: TransformerSpec = {
  kind: "transformer", vocab: 5, outDim: 5, ctx: 4, dModel: 8, nHeads: 2, dHead: 2, nLayers: 2, dMlp: 3,
  norm: "layernorm", act: "gelu", positions: true, unembedBias: false,
};
const snap = transformerSnapshot(spec, randomTensors(transformerTensors(spec), 4));

function find(n: SvgNode, pred: (n: SvgNode) => boolean, out: SvgNode[] = []): SvgNode[] {
  if (pred(n)) out.push(n);
  for (const c of n.children ?? []) find(c, pred, out);
  return out;
}
const rowY = (svg: string, label: string) => texts(svg).filter((t) => t.content === label).map((t) => t.y - 4);
/** The end point of a path "M x1,y1 C … x2,y2". */
const end = (d: string) => d.trim().split(/[ ,C]+/).slice(-2).map(Number);
const start = (d: string) => d.slice(1).split(/[ ,C]+/).slice(0, 2).map(Number);

describe("a transformer circuit over the transformer picture", () => {
  const edges = [
    { name: "embed → 0.1.q", effect: 0.5 },
    { name: "0.1.out → 1.0.k", effect: -2 },
    { name: "0.1.out → 0.mlp.in", effect: 0.1 },
    { name: "0.mlp.out → 1.0.v", effect: 0.2 },
    { name: "1.0.out → resid_post", effect: 1 },
  ];
  const view = circuitView(edges);

  it("draws every kept edge once, coloured by the receiver's input, from its sender to its receiver", () => {
    const scene = transformerScene(snap, { circuit: view });
    const curves = find(scene, (n) => n.attrs.class === "circuit-edge");
    expect(curves.map((c) => c.attrs["data-edge"])).toEqual(edges.map((e) => e.name));
    expect(curves.map((c) => c.attrs.stroke)).toEqual([CIRCUIT_COLORS.q, CIRCUIT_COLORS.k, CIRCUIT_COLORS.mlp,
      CIRCUIT_COLORS.v, CIRCUIT_COLORS.logits]);
    // width ∝ |score|: the strongest edge (|−2|) is the widest
    const widths = curves.map((c) => Number(c.attrs["stroke-width"]));
    expect(widths.indexOf(Math.max(...widths))).toBe(1);
    expect(widths[1]).toBeCloseTo(3.5, 2);
    const svg = drawTransformer(snap, { circuit: view });
    expectWellFormedSvg(svg);
    const [attn0] = rowY(svg, "attn 0");
    const [attn1] = rowY(svg, "attn 1");
    const [mlp0] = rowY(svg, "MLP 0");
    const [output] = rowY(svg, "output");
    // K-composition: from the top of head 0.1's band to under head 1.0's band, in its left half (head 0 of 2)
    const [x1, y1] = start(curves[1].attrs.d);
    const [x2, y2] = end(curves[1].attrs.d);
    expect(y1).toBeLessThan(attn0);
    expect(y2).toBeGreaterThan(attn1);
    expect(y2).toBeLessThan(attn0);
    const mid = 30 + (640 - 30 - 70) / 2; // the plot's middle
    expect(x1).toBeGreaterThan(mid); // head 1 of layer 0: right half
    expect(x2).toBeLessThan(mid); // head 0 of layer 1: left half
    expect(end(curves[2].attrs.d)[1]).toBeGreaterThan(mlp0); // into the MLP from below
    expect(end(curves[4].attrs.d)[1]).toBeGreaterThan(output);
    // the circuit's heads are outlined: 0.1 and 1.0, not 0.0 or 1.1
    expect(find(scene, (n) => n.attrs.class === "circuit-head").map((n) => n.attrs["data-head"]).sort()).toEqual(["0.1", "1.0"]);
  });

  it("draws the weights in grey under a circuit, in blue and red without one", () => {
    const under = lines(drawTransformer(snap, { circuit: view }));
    expect(under.length).toBeGreaterThan(0);
    expect(under.every((l) => l.stroke === WEIGHT_COLORS.pruned)).toBe(true);
    const plain = lines(drawTransformer(snap));
    expect(plain.length).toBe(under.length);
    expect(plain.some((l) => l.stroke === WEIGHT_COLORS.positive)).toBe(true);
    expect(drawTransformer(snap, { circuit: view })).toContain("→ key");
  });

  it("draws a finer graph's edges as their component pairs, scores summed", () => {
    const v = circuitView([{ name: "0.1.out[d3] → 1.0.k", effect: 1 }, { name: "0.1.out[d5] → 1.0.k", effect: -2 },
      { name: "0.mlp.out[n2] → 1.0.k", effect: 1 }, { name: "embed → 1.1.q @2", effect: 0.5 }]);
    expect(v.edges).toEqual([{ from: "0.1.out", to: "1.0.k", score: 3 }, { from: "0.mlp.out", to: "1.0.k", score: 1 },
      { from: "embed", to: "1.1.q", score: 0.5 }]);
    expect(parseEdgeName("0.3.out -> 1.1.k")).toEqual({ from: "0.3.out", to: "1.1.k" });
  });

  it("refuses nodes the model does not have and edges that run backwards, naming the edge", () => {
    expect(parseNode("1.2.v")).toEqual({ kind: "head", layer: 1, head: 2, port: "v" });
    expect(() => parseNode("1.x.q")).toThrow(/circuit node "1.x.q"/);
    const bad = (from: string, to: string) => () => drawTransformer(snap, { circuit: { edges: [{ from, to }] } });
    expect(bad("0.2.out", "1.0.q")).toThrow(/"0.2.out → 1.0.q": the model has 2 layers of 2 heads/);
    expect(bad("1.0.out", "0.1.k")).toThrow(/the sender is not upstream of the receiver/);
    expect(bad("0.0.out", "0.1.k")).toThrow(/not upstream/);
    expect(bad("0.0.q", "1.1.k")).toThrow(/0.0.q is not a sender/);
    expect(bad("embed", "0.mlp.out")).toThrow(/0.mlp.out is not a receiver/);
    const attnOnly = transformerSnapshot({ ...spec, dMlp: 0 }, randomTensors(transformerTensors({ ...spec, dMlp: 0 }), 1));
    expect(() => drawTransformer(attnOnly, { circuit: { edges: [{ from: "0.mlp.out", to: "resid_post" }] } }))
      .toThrow(/no MLP in layer 0/);
    // an attention-only model draws its circuit
    expect(drawTransformer(attnOnly, { circuit: { edges: [{ from: "0.1.out", to: "1.1.k" }] } })).toContain("circuit-edge");
  });
});
