// The harness refuses a row that was not validated before it was timed, and keeps every raw sample.
import { describe, expect, it } from "vitest";
import {
  checkClose,
  configureTiming,
  measure,
  rowProblem,
  takeValidations,
  timeOnce,
  validate,
  type Row,
  type Suite,
} from "../../bench/harness.ts";
import { runBench, type BenchAdapter } from "../../bench/run.ts";

const adapter: BenchAdapter = {
  runtime: { name: "node", version: process.versions.node, engine: `V8 ${process.versions.v8}` },
  machine: () => ({ cpu: "test", cores: 1 }),
  tfjsWasm: () => Promise.reject(new Error("these suites do not use tfjs")),
};
const row = (ours: Row["ours"]): Row => ({ suite: "t", case: "c", ours, baselines: {} });

describe("bench harness", () => {
  it("measure keeps each sample, stamped after the checks made before it", () => {
    configureTiming("smoke", 0.001);
    takeValidations();
    const v = checkClose([1, 2], [1, 2.0001], 1e-3, 0, "pair");
    const m = measure(() => Math.sqrt(2));
    expect(m.raw).toHaveLength(m.samples);
    expect(m.samples).toBe(3); // smoke: three samples, no warm-up
    expect(m.ms).toBe([...m.raw!].sort((a, b) => a - b)[1]);
    expect(v.at).toBeLessThan(m.at!);
    expect(v.maxAbsError).toBeCloseTo(1e-4, 6);
    expect(rowProblem(row(m), takeValidations())).toBeUndefined();
  });

  it("names a row timed without a check, checked after timing, or timed outside the harness", () => {
    const early = measure(() => Math.sqrt(2));
    expect(rowProblem(row(early), [])).toMatch(/no check against a reference/);
    const late = validate(true, "late check");
    expect(rowProblem(row(early), [late])).toMatch(/checked only after it was timed \(late check\)/);
    expect(rowProblem(row({ ms: 1, samples: 4 }), [late])).toMatch(/outside measure/);
    // Constants (anchors, budgets) need no timing stamp.
    const once = timeOnce(() => 1).measure;
    expect(rowProblem({ ...row(once), baselines: { budget: { ms: 5, samples: 0 } } }, [late])).toBeUndefined();
  });

  it("checkClose and validate throw with the label and the first bad index", () => {
    expect(() => checkClose([1, 2, 3], [1, 2, 4], 0.1, 0, "v")).toThrow("v: index 2 is 3, want 4");
    expect(() => checkClose([1], [1, 2], 0, 0, "v")).toThrow("v: length 1, want 2");
    expect(() => validate(false, "same edges", "metric gap 1")).toThrow("same edges: metric gap 1");
    takeValidations();
  });

  it("runBench fails a suite whose row was timed before any check, naming the row", async () => {
    const sloppy: Suite = {
      name: "sloppy",
      async run(ctx) {
        const m = measure(() => Math.sqrt(3));
        ctx.add({ suite: "sloppy", case: "sqrt", ours: m, baselines: {} });
      },
    };
    await expect(runBench(adapter, { setting: "smoke", registry: [sloppy] }))
      .rejects.toThrow("bench: sloppy sqrt: no check against a reference before it was timed");
  });

  it("runBench attaches each row's own checks, skips a suite on a runtime it does not support, and says why", async () => {
    const good: Suite = {
      name: "good",
      async run(ctx) {
        for (const n of ctx.choose({ full: [1, 2, 3], quick: [1, 2], smoke: [4, 5] })) {
          checkClose([Math.sqrt(n * n)], [n], 1e-12, 0, `sqrt ${n}`);
          ctx.add({ suite: "good", case: `sqrt ${n}`, ours: measure(() => Math.sqrt(n)), baselines: {} });
        }
        ctx.note("done");
      },
    };
    const nodeless: Suite = { name: "nodeless", unsupported: { runtimes: ["node"], reason: "needs a DOM" },
      run: () => Promise.reject(new Error("must not run")) };
    const events: string[] = [];
    const report = await runBench(adapter, { setting: "smoke", registry: [good, nodeless],
      onEvent: (e) => events.push(e.type) });
    expect(report.rows.map((r) => [r.case, r.validated.map((v) => v.label)])).toEqual([
      ["sqrt 4", ["sqrt 4"]],
      ["sqrt 5", ["sqrt 5"]],
    ]);
    expect(report.suites).toEqual([{ name: "good" }, { name: "nodeless", skipped: "needs a DOM" }]);
    expect(report.notes).toEqual(["good: done"]);
    expect(events).toEqual(["suite", "row", "row", "note", "skip"]);
    expect(report.setting).toBe("smoke");
    expect(report.wasm.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(report.versions.tfjsCore).toBeUndefined(); // tfjs was never loaded
  });
});
