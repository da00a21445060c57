import { describe, expect, it } from "vitest";
import { drawNetwork, networkScene, WEIGHT_COLORS } from "../../src/viz/network-svg.ts";
import { toSvg } from "../../src/viz/svg.ts";
import { makeSnapshot } from "./fixtures.ts";
import { circles, expectWellFormedSvg, lines, texts } from "./svg-check.ts";

const { positive, negative, pruned } = WEIGHT_COLORS;

describe("drawNetwork, 1-D layout", () => {
  const s = makeSnapshot({ shape: [4, 6, 3] }, 2);
  s.layers[0].weight[5] = 0; // zero weights draw nothing

  it("is well-formed, with one line per non-zero weight coloured by sign", () => {
    const svg = drawNetwork(s, { title: "a <b> & 'c'", caption: "\"step\" 1" });
    expectWellFormedSvg(svg);
    const all = s.layers.flatMap((l) => l.weight);
    const drawn = lines(svg);
    expect(drawn.length).toBe(all.filter((w) => w !== 0).length);
    expect(drawn.filter((l) => l.stroke === positive).length).toBe(all.filter((w) => w > 0).length);
    expect(drawn.filter((l) => l.stroke === negative).length).toBe(all.filter((w) => w < 0).length);
    expect(svg).toContain("a &lt;b&gt; &amp; &#39;c&#39;");
    expect(svg).toContain("&quot;step&quot; 1");
  });

  it("scales widths to |w| / max|W| per layer and stacks the input at the bottom", () => {
    const drawn = lines(drawNetwork(s));
    const layer0 = drawn.slice(0, 23); // 24 weights, one zero
    expect(Math.max(...layer0.map((l) => l.width))).toBeCloseTo(3, 3);
    const maxAbs = Math.max(...s.layers[0].weight.map(Math.abs));
    const w = s.layers[0].weight[7]; // out 1, in 3
    const line = layer0.find((l) => Math.abs(l.width - (3 * Math.abs(w)) / maxAbs) < 1e-3)!;
    expect(line.stroke).toBe(w > 0 ? positive : negative);
    expect(line.y1).toBeGreaterThan(line.y2); // input row below the hidden row
    expect(Math.max(...drawn.slice(23).map((l) => l.width))).toBeCloseTo(3, 3);
  });

  it("labels inputs and outputs through the perms, with given names", () => {
    const p = structuredClone(s);
    p.inPerm = [2, 0, 3, 1];
    p.outPerm = [1, 2, 0];
    const byX = (svg: string, row: (y: number) => boolean): string[] =>
      texts(svg).filter((t) => row(t.y)).sort((a, b) => a.x - b.x).map((t) => t.content);
    const svg = drawNetwork(p, { legend: false }); // only the neuron labels
    const ys = circles(svg).map((c) => c.cy);
    const [bottom, top] = [Math.max(...ys), Math.min(...ys)];
    expect(byX(svg, (y) => y > bottom)).toEqual(["x3", "x1", "x4", "x2"]);
    expect(byX(svg, (y) => y < top)).toEqual(["y2", "y3", "y1"]);
    const named = drawNetwork(p, { inputNames: ["a", "b", "c", "d"], outputNames: ["u", "v", "w"], legend: false });
    expect(byX(named, (y) => y > bottom)).toEqual(["c", "a", "d", "b"]);
    expect(byX(named, (y) => y < top)).toEqual(["v", "w", "u"]);
    expect(byX(drawNetwork(s, { legend: false }), (y) => y > bottom)).toEqual(["x1", "x2", "x3", "x4"]);
  });

  it("draws a circuit: kept edges by sign, pruned faint grey or hidden", () => {
    const kept = s.layers.map((l) => Uint8Array.from(l.weight, (_, e) => (e % 3 === 0 ? 1 : 0)));
    const nonZero = (l: number, k: 0 | 1): number =>
      s.layers[l].weight.filter((w, e) => w !== 0 && kept[l][e] === k).length;
    const keptCount = nonZero(0, 1) + nonZero(1, 1);
    const prunedCount = nonZero(0, 0) + nonZero(1, 0);
    const svg = drawNetwork(s, { circuit: { kept } });
    expectWellFormedSvg(svg);
    const drawn = lines(svg);
    expect(drawn.filter((l) => l.stroke === pruned).length).toBe(prunedCount);
    expect(drawn.filter((l) => l.stroke !== pruned).length).toBe(keptCount);
    // pruned lines sit underneath: all of a layer's grey lines come before its coloured ones
    expect(drawn.slice(0, nonZero(0, 0)).every((l) => l.stroke === pruned)).toBe(true);
    const hidden = lines(drawNetwork(s, { circuit: { kept }, showPruned: false }));
    expect(hidden.length).toBe(keptCount);
    expect(hidden.some((l) => l.stroke === pruned)).toBe(false);
  });

  it("carries its legend: the colours it uses, pruned only with a circuit, on one row or two by width", () => {
    const legendOf = (svg: string) => /<g class="legend">([^]*?)<\/g>/.exec(svg)?.[1] ?? "";
    const plain = legendOf(drawNetwork(s));
    expect(texts(plain).map((t) => t.content)).toEqual(["w &gt; 0", "w &lt; 0", "line width ∝ |w| / max |w| of its layer"]);
    expect([...plain.matchAll(/<rect [^>]*fill="([^"]+)"/g)].map((m) => m[1])).toEqual([positive, negative]);
    const kept = s.layers.map((l) => new Uint8Array(l.weight.length).fill(1));
    const withCircuit = legendOf(drawNetwork(s, { circuit: { kept } }));
    expect(texts(withCircuit).map((t) => t.content).slice(0, 3)).toEqual(["kept, w &gt; 0", "kept, w &lt; 0", "pruned"]);
    expect(withCircuit).toContain(`fill="${pruned}"`);
    // Nothing of the legend falls outside the picture, wide or narrow (where the note gets its own row).
    for (const width of [640, 360]) {
      const svg = drawNetwork(s, { width, circuit: { kept }, caption: "c" });
      const height = Number(/<svg [^>]*height="([\d.]+)"/.exec(svg)![1]);
      const rows = new Set(texts(legendOf(svg)).map((t) => t.y));
      expect(rows.size).toBe(width === 640 ? 1 : 2);
      for (const t of texts(legendOf(svg))) expect(t.y).toBeLessThan(height);
      const caption = texts(svg).find((t) => t.content === "c")!;
      expect(Math.min(...rows)).toBeGreaterThan(caption.y); // under the caption, not over it
    }
    expect(drawNetwork(s, { legend: false })).not.toContain("legend");
  });

  it("is the SVG text of its tree (what the page paints), and a narrow picture has shallower layers", () => {
    expect(drawNetwork(s, { title: "t" })).toBe(toSvg(networkScene(s, { title: "t" })));
    const height = (width: number) => Number(networkScene(s, { width, legend: false }).attrs.height);
    expect(height(640)).toBe(height(1000)); // 110 px between layers from 550 px up
    expect(height(360)).toBeLessThan(height(640) - 2 * 30);
  });

  it("rejects a circuit mask that does not fit the model, naming the layer", () => {
    const kept = s.layers.map((l) => new Uint8Array(l.weight.length));
    expect(() => drawNetwork(s, { circuit: { kept: kept.slice(1) } }))
      .toThrow(/circuit\.kept has 1 masks, expected .* \(2\)/);
    kept[1] = new Uint8Array(17);
    expect(() => drawNetwork(s, { circuit: { kept } }))
      .toThrow(/circuit\.kept\[1\] has 17 entries, expected 18 \(out 3 × in 6\)/);
  });

  it("places the folds of an input slot side by side at the same height", () => {
    const f = makeSnapshot({ shape: [8, 5, 3], inFold: 2, embed: { tokens: 6, dim: 4 } });
    const svg = drawNetwork(f);
    expectWellFormedSvg(svg);
    const inputs = circles(svg).slice(0, 8); // layer 0 first, column order f·n + s
    for (let slot = 0; slot < 4; slot++) {
      const [a, b] = [inputs[slot], inputs[4 + slot]];
      expect(a.cy).toBe(b.cy);
      expect(b.cx - a.cx).toBeGreaterThan(0);
      expect(b.cx - a.cx).toBeLessThanOrEqual(8);
    }
    // one label per slot, naming the embedding dimension
    expect(texts(svg).filter((t) => /^e[1-4]$/.test(t.content)).length).toBe(4);
  });
});

describe("drawNetwork, grid layout (MNIST-sized)", () => {
  const s = makeSnapshot({ shape: [784, 100, 100, 10], layout: "grid" }, 9);

  it("draws only the strongest lines per layer, deterministically", () => {
    const svg = drawNetwork(s, { outputNames: ["zero", "one", "two", "3", "4", "5", "6", "7", "8", "9"] });
    expectWellFormedSvg(svg);
    const drawn = lines(svg);
    expect(drawn.length).toBe(1500 + 1500 + 1000);
    expect(drawNetwork(s, { outputNames: ["zero", "one", "two", "3", "4", "5", "6", "7", "8", "9"] })).toBe(svg);
    // the weakest line drawn in layer 0 is as strong as the 1500th strongest weight
    const abs = s.layers[0].weight.map(Math.abs).sort((a, b) => b - a);
    const minWidth = Math.min(...drawn.slice(0, 1500).map((l) => l.width));
    expect(minWidth).toBeCloseTo((1.2 * abs[1499]) / abs[0], 3);
    expect(lines(drawNetwork(s, { maxLinesPerLayer: 10 })).length).toBe(30);
    expect(svg.match(/<circle /g)!.length).toBe(994);
    expect(svg.match(/<polygon /g)!.length).toBe(4); // one plane per layer
    expect(texts(svg).map((t) => t.content)).toContain("zero"); // outputs labelled, 784 pixels not
    expect(texts(svg).length).toBe(10 + 3); // and the legend's two swatches and its width note
  });

  it("puts the outputs on a ring above the hidden planes", () => {
    const pts = circles(drawNetwork(s));
    const out = pts.slice(-10);
    const hidden = pts.slice(784, 884);
    expect(Math.max(...out.map((p) => p.cy))).toBeLessThan(Math.min(...hidden.map((p) => p.cy)));
    const cx = out.reduce((a, p) => a + p.cx, 0) / 10;
    const radii = out.map((p) => Math.abs(p.cx - cx));
    expect(Math.max(...radii)).toBeGreaterThan(50); // spread around, not on one point
  });
});
