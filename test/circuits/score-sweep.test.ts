import { describe, expect, it } from "vitest";
import { faithfulnessArea, logGrid, sweepTau } from "../../src/circuits/sweep.ts";

describe("τ sweep", () => {
  it("builds a decimal log grid, 1-3 per decade by default", () => {
    expect(logGrid()).toEqual([1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]);
    expect(logGrid(1e-3, 1e-2, [1, 2, 5])).toEqual([1e-3, 2e-3, 5e-3, 1e-2]);
    expect(() => logGrid(0, 1)).toThrow(/0 < from/);
    expect(() => logGrid(1e-3, 1e-2, [10])).toThrow(/mantissas/);
  });

  it("integrates faithfulness over the edge fraction: flat to 0 on the left, the full model at (1, 0)", () => {
    // points (0.25, 0.4) and (0.5, 0.2): area = 0.25·0.4 + 0.25·(0.4+0.2)/2 + 0.5·(0.2+0)/2 = 0.225
    const area = faithfulnessArea([
      { edges: 50, totalEdges: 100, faithfulness: 0.2 },
      { edges: 25, totalEdges: 100, faithfulness: 0.4 },
    ]);
    expect(area).toBeCloseTo(0.225, 12);
    // a perfectly faithful empty circuit has area 0; an unfaithful full-size curve is large
    expect(faithfulnessArea([{ edges: 0, totalEdges: 10, faithfulness: 0 }])).toBe(0);
    expect(() => faithfulnessArea([])).toThrow(/no sweep points/);
    expect(() => faithfulnessArea([{ edges: 11, totalEdges: 10, faithfulness: 0 }])).toThrow(/bad point/);
  });

  it("runs every τ in order, reports progress, keeps the run's own fields and stops on abort", async () => {
    const seen: number[] = [];
    const run = (tau: number) => ({ edges: Math.round(100 * (1 - 10 * tau)), totalEdges: 100, faithfulness: tau,
      id: tau });
    const { points, area } = await sweepTau(run, { grid: [1e-2, 1e-3], onProgress: (d) => seen.push(d) });
    expect(points.map((p) => [p.tau, p.edges, p.id])).toEqual([[1e-2, 90, 1e-2], [1e-3, 99, 1e-3]]);
    expect(seen).toEqual([1, 2]);
    expect(area).toBeCloseTo(faithfulnessArea(points), 15);
    const ctl = new AbortController();
    ctl.abort();
    await expect(sweepTau(run, { signal: ctl.signal })).rejects.toThrow();
  });
});
