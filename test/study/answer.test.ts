import { describe, expect, it } from "vitest";
import { answerTable, answerText, markOf, type AnswerCell, type AnswerClaim } from "../../src/study/answer.ts";
import { studyDocument, toMarkdown } from "../../src/study/report.ts";
import { defaultConfig } from "../../src/study/protocol.ts";
import { taskTables } from "../../src/study/summary.ts";
import { reportHtml } from "../../src/viz/report-html.ts";
import { fakeRun, type FakeValues } from "./fixtures.ts";

const env = { brainwire: "0.0.0", wasm: "0123456789abcdef", runtime: "node" };

/** Three seeds per mode; `spread` is added as −s, 0, +s so each mode's std is exactly `spread`. */
function seeds(mode: "vanilla" | "l1" | "bimt" | "l1+swap", v: (d: number) => FakeValues, task = "two-moons") {
  return [-1, 0, 1].map((d, s) => fakeRun(mode, s, v(d), task));
}

function cellOf(cells: AnswerCell[], claim: AnswerClaim): AnswerCell {
  return cells.find((c) => c.claim === claim)!;
}

describe("the answer table", () => {
  // bimt vs the best baseline per measure:
  //   edges      bimt 30 ± 1, l1 50 ± 1, vanilla 200 ± 1   → better (sparser than l1 by 20 ≫ 1)
  //   test       bimt 0.80 ± 0.01, vanilla 0.95 ± 0.01     → worse (BIMT costs accuracy)
  //   discovery  bimt 5 ± 3, l1 6 ± 3                      → within (1 ≤ 3)
  //   modularity bimt 0.5, every mode 0.5                  → within (a tie)
  //   quality    faithfulness bimt better, area bimt worse → mixed
  const runs = [
    ...seeds("vanilla", (d) => ({ edges: 200 + d, test: 0.95 + 0.01 * d, discoveryMs: 50 + 3 * d, faithfulness: 4e-3 + 1e-5 * d,
      area: 2e-2 + 1e-4 * d, modularity: 0.5 })),
    ...seeds("l1", (d) => ({ edges: 50 + d, test: 0.9 + 0.01 * d, discoveryMs: 6 + 3 * d, faithfulness: 2e-3 + 1e-5 * d,
      area: 1e-2 + 1e-4 * d, modularity: 0.5 })),
    ...seeds("bimt", (d) => ({ edges: 30 + d, test: 0.8 + 0.01 * d, discoveryMs: 5 + 3 * d, faithfulness: 1e-3 + 1e-5 * d,
      area: 3e-2 + 1e-4 * d, modularity: 0.5 })),
  ];

  it("marks each claim better, worse, within the seed spread or mixed against the best baseline", () => {
    const [row] = answerTable(taskTables(runs)).rows;
    expect(row.task).toBe("two-moons");
    expect(row.seeds).toBe(3);
    const mark = (c: AnswerClaim) => cellOf(row.cells, c).mark;
    expect(mark("sparsity")).toBe("better");
    expect(mark("accuracy")).toBe("worse");
    expect(mark("time")).toBe("within");
    expect(mark("modularity")).toBe("within");
    expect(mark("quality")).toBe("mixed");
    const sparsity = cellOf(row.cells, "sparsity").measures[0];
    expect(sparsity).toMatchObject({ key: "edges", outcome: "better", subject: "30", rival: "50", rivalMode: "l1" });
    const accuracy = cellOf(row.cells, "accuracy").measures[0];
    expect(accuracy).toMatchObject({ outcome: "worse", subject: "80.0%", rival: "95.0%", rivalMode: "vanilla" });
    expect(answerText(cellOf(row.cells, "accuracy"))).toBe("worse: 80.0% vs 95.0% (vanilla)");
    const quality = cellOf(row.cells, "quality");
    expect(quality.measures.map((m) => [m.key, m.outcome])).toEqual([["faithfulness", "better"], ["area", "worse"]]);
    expect(answerText(quality)).toBe("mixed: faithfulness +, area −");
  });

  it("turns a clear difference into within spread once the seeds scatter more than it", () => {
    // the same means as above for edges (30 vs 50) but a std of 25 > 20
    const wide = [
      ...seeds("l1", (d) => ({ edges: 50 + 25 * d })),
      ...seeds("bimt", (d) => ({ edges: 30 + 25 * d })),
    ];
    expect(cellOf(answerTable(taskTables(wide)).rows[0].cells, "sparsity").mark).toBe("within");
  });

  it("holds BIMT against the baselines only, not against its own ablations", () => {
    const ladder = [
      ...seeds("l1", () => ({ edges: 50 })),
      ...seeds("l1+swap", () => ({ edges: 10 })), // sparser than bimt, but a BIMT ablation
      ...seeds("bimt", () => ({ edges: 30 })),
    ];
    const sparsity = cellOf(answerTable(taskTables(ladder)).rows[0].cells, "sparsity");
    expect(sparsity.mark).toBe("better");
    expect(sparsity.measures[0].rivalMode).toBe("l1");
  });

  it("has a row per task (ground-truth measures where the task has them) and says why a row is empty", () => {
    const truth = [
      ...seeds("l1", () => ({ precision: 0.5 }), "symbolic-independence"),
      ...seeds("bimt", () => ({ precision: 1 }), "symbolic-independence"),
    ];
    const onlyBimt = seeds("bimt", () => ({}), "symbolic-sharing");
    const a = answerTable(taskTables([...runs, ...truth, ...onlyBimt]));
    expect(a.rows.map((r) => r.task)).toEqual(["two-moons", "symbolic-independence", "symbolic-sharing"]);
    const q = cellOf(a.rows[1].cells, "quality");
    expect(q.measures.map((m) => m.key)).toEqual(["faithfulness", "area", "precision", "recall"]);
    expect(q.mark).toBe("better"); // precision better, the rest tied
    expect(a.rows[2].note).toBe("no baseline (vanilla, l1) was run");
    expect(a.rows[2].cells.every((c) => c.mark === "none")).toBe(true);
  });

  it("combines a claim's measures: better needs no worse, worse needs no better", () => {
    expect(markOf(["better", "within"])).toBe("better");
    expect(markOf(["worse", "within"])).toBe("worse");
    expect(markOf(["within", "within"])).toBe("within");
    expect(markOf(["better", "worse"])).toBe("mixed");
    expect(markOf([])).toBe("none");
  });

  it("opens the Markdown and HTML reports, before the per-task tables", () => {
    const d = studyDocument(defaultConfig({ tasks: ["two-moons"] }), env, runs, runs.length, false);
    expect(d.answer.rows).toHaveLength(1);
    const md = toMarkdown(d);
    const answerAt = md.indexOf("## The answer");
    expect(answerAt).toBeGreaterThan(0);
    expect(answerAt).toBeLessThan(md.indexOf("## two-moons"));
    expect(md).toMatch(/\| two-moons \| 3 \| \*\*mixed\*\*: faithfulness \+, area − \| \*\*within spread\*\*: 5 ms vs 6 ms \(l1\) \| \*\*better\*\*: 30 vs 50 \(l1\) \|/);
    const html = reportHtml(d);
    const table = html.slice(html.indexOf(`<table class="answer">`), html.indexOf("</table>"));
    expect(html.indexOf(`<table class="answer">`)).toBeLessThan(html.indexOf(`<h2 id="two-moons">`));
    expect(table).toContain(`<td class="worse"><b>worse</b>80.0% vs 95.0% (vanilla)</td>`);
    expect(table).toContain(`<td class="better"><b>better</b>30 vs 50 (l1)</td>`);
    expect(table).toContain(`<a href="#two-moons">two-moons</a>`);
  });
});
