import { describe, expect, it } from "vitest";
import { attentionScene, drawAttention, opacity, type HeadPattern } from "../../src/viz/attention-svg.ts";
import type { SvgNode } from "../../src/viz/svg.ts";
import { expectWellFormedSvg } from "./svg-check.ts";

/** A causal pattern: query t spreads over keys 0 … t with weights ∝ (s + 1 + seed). */
function pattern(head: string, T: number, seed: number): HeadPattern {
  const probs = new Float64Array(T * T);
  for (let t = 0; t < T; t++) {
    let sum = 0;
    for (let s = 0; s <= t; s++) sum += s + 1 + seed;
    for (let s = 0; s <= t; s++) probs[t * T + s] = (s + 1 + seed) / sum;
  }
  return { head, T, probs };
}

function find(n: SvgNode, pred: (n: SvgNode) => boolean, out: SvgNode[] = []): SvgNode[] {
  if (pred(n)) out.push(n);
  for (const c of n.children ?? []) find(c, pred, out);
  return out;
}

describe("attention heatmaps", () => {
  it("draws one cell per allowed (query, key) pair whose opacity is that attention probability", () => {
    const heads = [pattern("0.1", 7, 0), pattern("1.3", 7, 2)];
    const scene = attentionScene(heads);
    const groups = find(scene, (n) => n.attrs.class === "head");
    expect(groups.map((g) => g.attrs["data-head"])).toEqual(["0.1", "1.3"]);
    groups.forEach((g, i) => {
      const cells = find(g, (n) => n.attrs["data-query"] !== undefined);
      expect(cells).toHaveLength((7 * 8) / 2); // keys ≤ query only: later keys are masked
      for (const c of cells) {
        const t = Number(c.attrs["data-query"]);
        const s = Number(c.attrs["data-key"]);
        expect(s).toBeLessThanOrEqual(t);
        expect(Number(c.attrs["fill-opacity"])).toBeCloseTo(heads[i].probs[t * 7 + s], 3);
      }
      // the row of query 6 of head 1.3 is (s + 3)/42: its last cell is the darkest
      const last = cells.filter((c) => c.attrs["data-query"] === "6").map((c) => Number(c.attrs["fill-opacity"]));
      expect(last.indexOf(Math.max(...last))).toBe(6);
      // every cell of a head is the ink colour, set once on the cells' group
      expect(find(g, (n) => n.attrs.class === "cells")[0].attrs.fill).toBe("#312e81");
    });
    const svg = drawAttention(heads, { title: "attention · induction", caption: "example 0" });
    expectWellFormedSvg(svg);
    expect(svg).toContain("head 1.3");
    expect(svg).toContain("attention probability");
  });

  it("places cells on a grid: query down, key across, one cell size", () => {
    const scene = attentionScene([pattern("0.0", 3, 0)], { cell: 10 });
    const cells = find(scene, (n) => n.attrs["data-query"] !== undefined);
    const at = (t: number, s: number) => cells.find((c) => c.attrs["data-query"] === String(t) && c.attrs["data-key"] === String(s))!;
    expect(Number(at(2, 0).attrs.y) - Number(at(0, 0).attrs.y)).toBe(20);
    expect(Number(at(2, 2).attrs.x) - Number(at(2, 0).attrs.x)).toBe(20);
    expect(at(1, 1).attrs.width).toBe("10");
  });

  it("writes tokens on the axes when cells are wide enough, and marks key ranges", () => {
    const svg = drawAttention([pattern("1.0", 4, 0)], { cell: 14, tokens: ["a", "b", "c", "d"],
      marks: [{ from: 1, to: 3, label: "segment" }] });
    expectWellFormedSvg(svg);
    expect(svg.match(/>c</g)).toHaveLength(2); // once down, once across
    expect(svg).toContain(">segment<");
    expect(drawAttention([pattern("1.0", 24, 0)], { tokens: Array.from({ length: 24 }, (_, i) => `t${i}`) }))
      .not.toContain(">t5<"); // 7 px cells: no room for labels
  });

  it("clamps opacities to 0 … 1 and refuses a pattern of the wrong size", () => {
    expect(opacity(1.0000001)).toBe("1");
    expect(opacity(0.12345)).toBe("0.123");
    expect(opacity(-1e-9)).toBe("0");
    expect(() => attentionScene([{ head: "0.0", T: 3, probs: new Float64Array(8) }])).toThrow(/probs has 8 values, expected T·T = 9/);
    expect(drawAttention([])).toContain("no heads in the circuit");
  });
});
