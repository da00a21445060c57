import { describe, expect, it } from "vitest";
import { selectEdges } from "../../src/viz/edge-selection.ts";

describe("selectEdges", () => {
  it("keeps the strongest by |w|, drawn weakest first, skipping zeros", () => {
    const w = [0.1, -0.9, 0, 0.5, -0.3];
    expect(selectEdges(w, undefined, 3, true)).toEqual({ kept: [4, 3, 1], pruned: [] });
    expect(selectEdges(w, undefined, 100, true).kept).toEqual([0, 4, 3, 1]);
  });

  it("breaks ties by the lower index, whatever the sort implementation", () => {
    const w = new Array(50).fill(0.5).map((v, i) => (i % 2 ? v : -v));
    expect(selectEdges(w, undefined, 4, true).kept).toEqual([3, 2, 1, 0]);
  });

  it("puts circuit edges before pruned ones and can hide the pruned", () => {
    const w = [0.9, 0.8, 0.1, 0.2];
    const mask = Uint8Array.of(0, 0, 1, 1);
    expect(selectEdges(w, mask, 3, true)).toEqual({ kept: [2, 3], pruned: [0] });
    expect(selectEdges(w, mask, 3, false)).toEqual({ kept: [2, 3], pruned: [] });
    expect(selectEdges(w, mask, 10, true)).toEqual({ kept: [2, 3], pruned: [1, 0] });
  });
});
