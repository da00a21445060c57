// Transformer runs in the study's outputs, from hand-made records: their rows and columns, the answer
// table's row, and the report's pictures (the circuit over the transformer, the heads' attention).
import { describe, expect, it } from "vitest";
import { transformerSnapshot } from "../../src/model/transformer-io.ts";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import { answerTable } from "../../src/study/answer.ts";
import { defaultConfig } from "../../src/study/protocol.ts";
import { studyDocument, toCsv, toMarkdown } from "../../src/study/report.ts";
import { taskTables } from "../../src/study/summary.ts";
import type { RunRecord } from "../../src/study/types.ts";
import { reportHtml } from "../../src/viz/report-html.ts";
import { randomTensors } from "../helpers/transformer-oracle.ts";
import { fakeRun, fakeTxRun } from "./fixtures.ts";

const env = { brainwire: "0.0.0", wasm: "0123456789abcdef", runtime: "node" };

describe("transformer runs in the study report", () => {
  // induction: bimt keeps the K-composition edge on all 3 seeds, l1 on 1 of 3, vanilla on none
  const runs = [0, 1, 2].flatMap((s) => [
    fakeTxRun("vanilla", s, { edges: 40 + s, kComposition: false }),
    fakeTxRun("l1", s, { edges: 30 + s, kComposition: s === 0 }),
    fakeTxRun("bimt", s, { edges: 12 + s, kComposition: true }),
  ]);

  it("gets a table with the head ground truth and the K-composition share, and no sparse-circuit inference", () => {
    const [t] = taskTables(runs);
    expect(t.task).toBe("induction");
    const keys = t.columns.map((c) => c.key);
    expect(keys).toEqual(expect.arrayContaining(["precision", "recall", "kComposition", "dense"]));
    expect(keys).not.toContain("circuit"); // transformers have no sparse runner
    expect(keys).not.toContain("auc");
    const k = (mode: string) => t.rows.find((r) => r.key === mode)!.cells.kComposition!.mean;
    expect([k("vanilla"), k("l1"), k("bimt")]).toEqual([0, 1 / 3, 1]);
    expect(t.best.kComposition).toEqual(["bimt"]);
  });

  it("has its row in the answer table, the K-composition edge weighed under circuit quality", () => {
    const [row] = answerTable(taskTables(runs)).rows;
    const quality = row.cells.find((c) => c.claim === "quality")!;
    const kc = quality.measures.find((m) => m.key === "kComposition")!;
    // bimt 100% ± 0 against l1's 33% ± 58% (1 of 3 seeds): a gain of 67 points, beyond l1's spread
    expect(kc).toMatchObject({ outcome: "better", subject: "100.0%", rival: "33.3%", rivalMode: "l1" });
    // with 2 of 3 seeds (67% ± 58%), the gain of 33 points is within it
    const close = runs.map((r) => r.mode === "l1" && r.seed === 1 ? fakeTxRun("l1", 1, { edges: 31, kComposition: true }) : r);
    const again = answerTable(taskTables(close)).rows[0].cells.find((c) => c.claim === "quality")!;
    expect(again.measures.find((m) => m.key === "kComposition")!.outcome).toBe("within");
    expect(row.cells.find((c) => c.claim === "sparsity")!.mark).toBe("better");
  });

  it("sits beside MLP tasks in one study: a row each in the answer, a section each, the family in the CSV", () => {
    const mixed: RunRecord[] = [...runs, ...[0, 1, 2].flatMap((s) => [fakeRun("l1", s), fakeRun("bimt", s)])];
    const d = studyDocument(defaultConfig({ tasks: ["induction", "two-moons"] }), env, mixed, mixed.length, false);
    expect(d.answer.rows.map((r) => r.task)).toEqual(["induction", "two-moons"]);
    const md = toMarkdown(d);
    expect(md).toMatch(/## induction[\s\S]*K-composition edge kept[\s\S]*## two-moons/);
    const csv = toCsv(mixed).trimEnd().split("\n");
    const head = csv[0].split(",");
    expect(csv[1].split(",")[head.indexOf("family")]).toBe("transformer");
    expect(csv[10].split(",")[head.indexOf("family")]).toBe("mlp");
    expect(csv[1].split(",")[head.indexOf("acdc_k_composition")]).toBe("false");
  });

  it("draws the first seed's circuit over the transformer and its heads' attention as heatmaps", () => {
    const spec: TransformerSpec = { kind: "transformer", vocab: 6, outDim: 6, ctx: 4, dModel: 8, nHeads: 2, dHead: 4,
      nLayers: 2, dMlp: 0, norm: "layernorm", act: "gelu", positions: true, unembedBias: false };
    const model = transformerSnapshot(spec, randomTensors(transformerTensors(spec), 2));
    const probs = [1, 0, 0, 0, 0.5, 0.5, 0, 0, 0.2, 0.3, 0.5, 0, 0.25, 0.25, 0.25, 0.25];
    const withPictures = runs.map((r) => r.seed !== 0 ? r : {
      ...r,
      model,
      circuit: { kind: "transformer" as const, modelHash: "0123456789abcdef", scores: { edges: 3, totalEdges: 30,
        faithfulness: 1e-3, faithfulnessMetric: "kl" as const },
      edges: [{ name: "embed → 0.1.k", effect: 0.1 }, { name: "0.1.out → 1.0.k", effect: 0.5 }, { name: "1.0.out → resid_post", effect: 1 }] },
      attention: { example: 0, examples: 1, T: 4, heads: [{ head: "0.1", probs }, { head: "1.0", probs }] },
    });
    const html = reportHtml(studyDocument(defaultConfig({ tasks: ["induction"] }), env, withPictures, 9, false));
    // three modes, three circuits of three edges each, coloured by receiver
    expect(html.match(/class="circuit-edge"/g)).toHaveLength(9);
    expect(html.match(/data-edge="0.1.out → 1.0.k"[^>]*/g)).toHaveLength(3);
    expect(html).toContain("vanilla: attention of the circuit&#39;s heads");
    // heatmap cells: 2 heads × 10 allowed cells per mode; the opacity is the probability
    expect(html.match(/data-query=/g)).toHaveLength(3 * 2 * 10);
    expect(html).toContain(`fill-opacity="0.3" data-query="2" data-key="1"`);
    expect(html).toContain("Attention of each circuit");
  });
});
