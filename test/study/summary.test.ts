import { describe, expect, it } from "vitest";
import { bestRows, cell, formatCell, taskTables } from "../../src/study/summary.ts";
import { compareModes, verdict } from "../../src/study/verdict.ts";
import { fakeRun } from "./fixtures.ts";

describe("study tables", () => {
  it("gives mean ± sample std over seeds, the mean alone for one seed, nothing for no value", () => {
    expect(cell([1, 2, 3])).toEqual({ mean: 2, std: 1, n: 3 });
    expect(cell([4])).toEqual({ mean: 4, n: 1 });
    expect(cell([undefined, NaN])).toBeUndefined();
    expect(formatCell({ mean: 0.975, std: 0.0125, n: 3 }, "percent")).toBe("97.5% ± 1.3%");
    expect(formatCell({ mean: 2.5e6, n: 1 }, "rate")).toBe("2.5M/s");
    expect(formatCell(undefined, "sci")).toBe("–");
  });

  it("averages each mode's seeds and marks the best mode per column by the column's direction", () => {
    const runs = [
      fakeRun("vanilla", 0, { test: 0.9, edges: 200, trainMs: 1000 }),
      fakeRun("vanilla", 1, { test: 0.92, edges: 220, trainMs: 1000 }),
      fakeRun("bimt", 0, { test: 0.8, edges: 30, trainMs: 2000 }),
      fakeRun("bimt", 1, { test: 0.84, edges: 34, trainMs: 2000 }),
    ];
    const [t] = taskTables(runs);
    expect(t.task).toBe("two-moons");
    expect(t.seeds).toEqual([0, 1]);
    expect(t.rows.map((r) => r.key)).toEqual(["vanilla", "bimt"]);
    const bimt = t.rows[1].cells;
    expect(bimt.edges!.mean).toBe(32);
    expect(bimt.edges!.std).toBeCloseTo(Math.SQRT2 * 2, 12);
    expect(bimt.test!.mean).toBeCloseTo(0.82, 12);
    expect(t.best.test).toEqual(["vanilla"]); // accuracy: higher is better
    expect(t.best.edges).toEqual(["bimt"]); // fewer edges: sparser
    expect(t.best.sparsity).toEqual(["bimt"]);
    expect(t.best.trainTime).toEqual(["vanilla"]);
    expect(t.best.faithfulness).toEqual(["vanilla", "bimt"]); // ties are all marked
    expect(t.columns.some((c) => c.key === "precision")).toBe(false); // two-moons has no ground truth
  });

  it("shows an empty circuit's precision as – and never marks it best", () => {
    const runs = [0, 1].flatMap((s) => [
      fakeRun("vanilla", s, { precision: 0.5 }, "symbolic-independence"),
      fakeRun("bimt", s, { precision: null, edges: 0 }, "symbolic-independence"),
    ]);
    const [t] = taskTables(runs);
    const precision = t.columns.find((c) => c.key === "precision")!;
    expect(formatCell(t.rows[1].cells.precision, precision.format)).toBe("–");
    expect(formatCell(t.rows[0].cells.precision, precision.format)).toBe("0.500 ± 0.000");
    expect(t.best.precision).toBeUndefined(); // one row with a value: nothing to compare
    const mixed = taskTables([...runs, fakeRun("l1", 0, { precision: 0.25 }, "symbolic-independence")])[0];
    expect(mixed.best.precision).toEqual(["vanilla"]);
  });

  it("marks nothing with a single row, and lower MSE as better for regression", () => {
    const one = { key: "bimt" as const, cells: { test: { mean: 1, n: 1 } } };
    expect(bestRows([one], [{ key: "test", label: "t", group: "model", better: "lower", format: "sci" }])).toEqual({});
    const [t] = taskTables([fakeRun("l1", 0, { test: 1e-3 }, "symbolic-sharing"),
      fakeRun("bimt", 0, { test: 2e-3 }, "symbolic-sharing")]);
    expect(t.columns[0]).toMatchObject({ label: "test MSE", better: "lower" });
    expect(t.best.test).toEqual(["l1"]);
  });
});

describe("study verdict", () => {
  it("says where BIMT wins (edges, discovery time) and where it does not (faithfulness)", () => {
    const runs = [0, 1, 2].flatMap((s) => [
      fakeRun("vanilla", s, { edges: 200 + s, discoveryMs: 50 + s, faithfulness: 1e-4 * (1 + 0.01 * s) }),
      fakeRun("l1", s, { edges: 80 + s, discoveryMs: 20 + s, faithfulness: 2e-4 * (1 + 0.01 * s) }),
      fakeRun("bimt", s, { edges: 30 + s, discoveryMs: 5 + s, faithfulness: 1e-3 * (1 + 0.01 * s) }),
    ]);
    const [t] = taskTables(runs);
    const outcome = Object.fromEntries(compareModes(t).map((c) => [c.column.key, [c.outcome, c.rival.mode]]));
    expect(outcome.edges).toEqual(["better", "l1"]);
    expect(outcome.discoveryTime).toEqual(["better", "l1"]);
    expect(outcome.faithfulness).toEqual(["worse", "vanilla"]);
    const text = verdict(t);
    expect(text).toMatch(/^two-moons \(3 seeds, our settings\):/);
    expect(text).toMatch(/BIMT is best on [^.]*edges kept, 31 vs 81 for l1/);
    expect(text).toMatch(/BIMT is best on [^.]*discovery time, 6 ms vs 21 ms for l1/);
    expect(text).toMatch(/BIMT is not best on faithfulness \(kl\), 1\.01e-3 vs 1\.01e-4 for vanilla/);
    expect(text).toMatch(/circuit quality: no on some measures, no clear difference on the rest/);
    expect(text).toMatch(/discovery time: yes; sparsity: yes/);
    expect(text).toMatch(/Against vanilla alone it is better on discovery time, edges kept\./);
  });

  it("calls a difference within the seed spread neither a win nor a loss", () => {
    const runs = [
      fakeRun("l1", 0, { edges: 40 }), fakeRun("l1", 1, { edges: 60 }),
      fakeRun("bimt", 0, { edges: 35 }), fakeRun("bimt", 1, { edges: 55 }),
    ];
    const [t] = taskTables(runs);
    expect(compareModes(t).find((c) => c.column.key === "edges")!.outcome).toBe("within");
    const text = verdict(t);
    expect(text).toMatch(/Within the seed spread on [^.]*edges kept, 45 vs 50 for l1/);
    expect(text).toMatch(/sparsity: no clear difference/);
    expect(text).not.toMatch(/BIMT is best on [^.]*edges/);
    expect(text).toMatch(/Tied on [^.]*faithfulness/);
  });

  it("weighs modularity too: a clearly higher Q is a win, said in its own words", () => {
    const runs = [0, 1].flatMap((s) => [
      fakeRun("l1", s, { modularity: 0.24 + 0.01 * s }),
      fakeRun("bimt", s, { modularity: 0.44 + 0.01 * s }),
    ]);
    const text = verdict(taskTables(runs)[0]);
    expect(text).toMatch(/BIMT is best on [^.]*modularity Q, 0\.445 vs 0\.245 for l1/);
    expect(text).toMatch(/modularity \(the BIMT paper's measure\): yes/);
  });

  it("says when there is nothing to compare, and warns about a single seed", () => {
    expect(verdict(taskTables([fakeRun("l1", 0)])[0])).toMatch(/bimt was not run/);
    expect(verdict(taskTables([fakeRun("bimt", 0)])[0])).toMatch(/needs a baseline/);
    const one = verdict(taskTables([fakeRun("l1", 0, { edges: 50 }), fakeRun("bimt", 0, { edges: 20 })])[0]);
    expect(one).toMatch(/\(1 seed, our settings\)/);
    expect(one).toMatch(/One seed only/);
  });
});
