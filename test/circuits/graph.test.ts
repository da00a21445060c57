// The edge graph: counts, the documented visiting order, kept-edge lists and names.
import { describe, expect, it } from "vitest";
import {
  density, edgeCount, edgeOrder, fullMask, hasOutgoing, keptEdges, neuronName, receiverOrder, senderOrder,
} from "../../src/circuits/graph.ts";
import type { ModelSpec } from "../../src/model/spec.ts";

const spec = (shape: number[], extra: Partial<ModelSpec> = {}): ModelSpec =>
  ({ shape, layout: "line", inFold: 1, ...extra });

describe("graph", () => {
  it("counts one edge per weight: 89,400 for the MNIST MLP", () => {
    expect(edgeCount(spec([784, 100, 100, 10]))).toBe(89_400);
    expect(edgeCount(spec([2, 3]))).toBe(6);
  });

  it("visits receivers output layer first, slots ascending, senders ascending", () => {
    const s = spec([2, 3, 2]);
    expect(receiverOrder(s)).toEqual([
      { l: 1, j: 0 }, { l: 1, j: 1 }, { l: 0, j: 0 }, { l: 0, j: 1 }, { l: 0, j: 2 },
    ]);
    // W_1 is 2×3 (row j = receiver), W_0 is 3×2
    expect(edgeOrder(s)).toEqual([
      [1, 0], [1, 1], [1, 2], [1, 3], [1, 4], [1, 5], [0, 0], [0, 1], [0, 2], [0, 3], [0, 4], [0, 5],
    ]);
    expect(senderOrder(s)).toEqual([
      { layer: 1, index: 0 }, { layer: 1, index: 1 }, { layer: 1, index: 2 },
      { layer: 0, index: 0 }, { layer: 0, index: 1 },
    ]);
  });

  it("lists kept edges with their effects and finds dangling neurons", () => {
    const s = spec([2, 2, 1]);
    const mask = fullMask(s);
    mask[0].set([1, 0, 0, 0]); // only x0 → h0
    mask[1].set([1, 0]); // only h0 → y0
    const effects = [Float32Array.from([0.5, 0, 0, 0]), Float32Array.from([0.25, 0])];
    expect(keptEdges(s, mask, effects)).toEqual([
      { layer: 0, to: 0, from: 0, effect: 0.5 },
      { layer: 1, to: 0, from: 0, effect: 0.25 },
    ]);
    expect(hasOutgoing(s, mask, 1, 0)).toBe(true);
    expect(hasOutgoing(s, mask, 1, 1)).toBe(false);
    expect(hasOutgoing(s, mask, 0, 1)).toBe(false);
    expect(density(mask)).toBeCloseTo(2 / 6, 12);
  });

  it("names input slots, embedding dimensions, hidden neurons and outputs", () => {
    const s = spec([4, 3, 2]);
    expect(neuronName(s, { layer: 0, index: 3 })).toBe("x3");
    expect(neuronName(s, { layer: 1, index: 2 })).toBe("h1.2");
    expect(neuronName(s, { layer: 2, index: 1 })).toBe("y1");
    const e = spec([6, 3, 2], { inFold: 2, embed: { tokens: 5, dim: 3 } });
    expect(neuronName(e, { layer: 0, index: 4 })).toBe("emb1.1");
  });
});
