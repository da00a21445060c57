// The study report as one self-contained HTML file (docs/study.md "Report"): the tables with the best
// value per column marked, the verdicts, and inline SVG pictures: each mode's network and its ACDC
// circuit (first seed), the faithfulness-vs-edges curves and the training curves (loss and cost vs
// step). No scripts, fonts or images are fetched. A pure function of the study document.
import { circuitMask } from "../circuits/circuit-io.ts";
import { ANSWER_CLAIMS, answerLegend, answerText, CLAIM_LABELS, type AnswerTable } from "../study/answer.ts";
import { environmentLine, settingsLine, OURS, type StudyDocument } from "../study/report.ts";
import { formatCell, type ColumnSpec, type Row } from "../study/summary.ts";
import type { RunRecord } from "../study/types.ts";
import { drawCurves, type Series } from "./curves-svg.ts";
import { drawAttention } from "./attention-svg.ts";
import { drawNetwork } from "./network-svg.ts";
import { circuitView } from "./transformer-circuit-svg.ts";
import { drawTransformer } from "./transformer-svg.ts";
import { isTransformerSnapshot } from "../model/model-file.ts";
import type { ModelSnapshot } from "../model/spec.ts";
import { escapeXml } from "./svg.ts";

/** Three pictures side by side fit the page's 1280 px. */
const PICTURE_WIDTH = 400;

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; color: #111827; margin: 24px auto; max-width: 1280px; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { margin-top: 40px; border-bottom: 1px solid #d1d5db; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.note { background: #fef3c7; border: 1px solid #f59e0b; padding: 8px 12px; border-radius: 4px; }
.meta { color: #4b5563; font-size: 13px; margin: 4px 0; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
.scroll { overflow-x: auto; }
th, td { border: 1px solid #d1d5db; padding: 4px 8px; text-align: right; white-space: nowrap; }
th { background: #f3f4f6; font-weight: 600; white-space: normal; min-width: 70px; vertical-align: bottom; } td:first-child, th:first-child { text-align: left; }
td.best { background: #dcfce7; font-weight: 700; }
table.answer td, table.answer th { text-align: left; white-space: normal; min-width: 120px; }
table.answer td b { display: block; font-size: 14px; }
td.better { background: #dcfce7; } td.worse { background: #fee2e2; } td.within { background: #f3f4f6; }
td.mixed { background: #fef3c7; } td.none { color: #6b7280; }
.verdict { background: #eff6ff; border-left: 4px solid #2563eb; padding: 8px 12px; max-width: 1000px; }
.figs { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.figs svg { border: 1px solid #e5e7eb; height: auto; max-width: 100%; }
`;

export function reportHtml(d: StudyDocument): string {
  const body: string[] = [`<h1>brainwire study</h1>`];
  if (d.answer.rows.length > 0) {
    body.push(`<h2 id="answer">The answer</h2>`, answerHtml(d.answer),
      `<p class="meta">${escapeXml(answerLegend(d.answer))}</p>`);
  }
  body.push(
    `<p class="note">${escapeXml(OURS)}</p>`,
    `<p class="meta">${escapeXml(settingsLine(d))}</p>`,
    `<p class="meta">${escapeXml(environmentLine(d.environment))}</p>`,
  );
  if (d.tables.length === 0) body.push("<p>No run finished.</p>");
  d.tables.forEach((t, i) => {
    const runs = d.runs.filter((r) => r.task === t.task);
    const first = t.rows.map((row) => runs.find((r) => r.mode === row.key && r.model && r.circuit) ??
      runs.find((r) => r.mode === row.key)!);
    const tau = runs[0].discovery.tau;
    body.push(`<h2 id="${escapeXml(t.task)}">${escapeXml(t.task)}</h2>`);
    body.push(`<p class="meta">mean ± std over seeds ${escapeXml(t.seeds.join(", "))}; best value per column ` +
      `highlighted (↑ higher is better, ↓ lower is better)</p>`);
    body.push("<h3>Trained model</h3>", table(t.columns.filter((c) => c.group === "model"), t.rows, t.best));
    body.push(`<h3>ACDC circuit at the default τ = ${tau} (${escapeXml(d.config.ablation)} ablation, held out)</h3>`,
      table(t.columns.filter((c) => c.group === "circuit"), t.rows, t.best));
    const m = d.methods[i];
    body.push("<h3>Discovery methods at the default τ (EAP keeps as many edges as ACDC)</h3>",
      table(m.columns, m.rows.map((r) => ({ key: `${r.key.mode} · ${r.key.method}`, cells: r.cells })), {}));
    body.push(`<p class="verdict"><strong>Verdict.</strong> ${escapeXml(d.verdicts[i].text)}</p>`);
    body.push(`<h3>Curves (seed ${first[0].seed})</h3>`, `<div class="figs">${curves(first)}</div>`);
    // networks in one row, their circuits below, each under its mode's network
    body.push(`<h3>Networks and their ACDC circuits (seed ${first[0].seed})</h3>`,
      `<div class="figs">${first.map(network).join("\n")}</div>`,
      `<div class="figs">${first.map(circuit).join("\n")}</div>`);
    const attention = first.filter((r) => r.attention);
    if (attention.length > 0) {
      const a = attention[0].attention!;
      const which = a.example === "mean" ? `mean over ${a.examples} held-out sequences` : `held-out sequence ${a.example}`;
      body.push(`<h3>Attention of each circuit's heads (${escapeXml(which)}, seed ${attention[0].seed})</h3>`,
        ...attention.map((r) => `<div class="figs">${attentionPicture(r)}</div>`));
    }
  });
  return `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>brainwire study</title>\n` +
    `<style>${STYLE}</style>\n</head>\n<body>\n${body.join("\n")}\n</body>\n</html>\n`;
}

/** Tasks as rows (each a link to its section), claims as columns; a cell's colour is its mark. */
function answerHtml(a: AnswerTable): string {
  const head = `<tr><th>task</th><th>seeds</th>${ANSWER_CLAIMS.map((c) => `<th>${escapeXml(CLAIM_LABELS[c])}</th>`).join("")}</tr>`;
  const rows = a.rows.map((r) => `<tr><td><a href="#${escapeXml(r.task)}">${escapeXml(r.task)}</a></td><td>${r.seeds}</td>` +
    r.cells.map((c) => {
      if (c.mark === "none") return `<td class="none">${escapeXml(r.note ?? "–")}</td>`;
      const [word, rest] = splitMark(answerText(c));
      return `<td class="${c.mark}"><b>${escapeXml(word)}</b>${escapeXml(rest)}</td>`;
    }).join("") + "</tr>");
  return `<div class="scroll"><table class="answer">\n${head}\n${rows.join("\n")}\n</table></div>`;
}

/** "better: 30 vs 50 (l1)" → ["better", "30 vs 50 (l1)"]. */
function splitMark(text: string): [string, string] {
  const i = text.indexOf(": ");
  return i < 0 ? [text, ""] : [text.slice(0, i), text.slice(i + 2)];
}

function table<K>(columns: ColumnSpec[], rows: Row<K>[], best: Record<string, K[]>): string {
  const head = `<tr><th>mode</th>${columns.map((c) =>
    `<th>${escapeXml(c.label)} ${c.better === "higher" ? "↑" : "↓"}</th>`).join("")}</tr>`;
  const body = rows.map((r) => `<tr><td>${escapeXml(String(r.key))}</td>${columns.map((c) => {
    const mark = best[c.key]?.includes(r.key) ? ` class="best"` : "";
    return `<td${mark}>${escapeXml(formatCell(r.cells[c.key], c.format))}</td>`;
  }).join("")}</tr>`);
  return `<div class="scroll"><table>\n${head}\n${body.join("\n")}\n</table></div>`;
}

/** Faithfulness vs edges (ACDC sweep) and loss and cost vs step, one series per mode. */
function curves(runs: RunRecord[]): string {
  const sweep: Series[] = runs.map((r) => ({ name: r.mode, points: r.methods.acdc.sweep.points
    .map((p): [number, number] => [p.edges, p.faithfulness]).sort((a, b) => a[0] - b[0]) }));
  const metric = runs[0].methods.acdc.atDefault.faithfulnessMetric;
  const train = (pick: "loss" | "cost"): Series[] => runs.map((r) => ({ name: r.mode,
    points: r.train.curves.step.map((s, k): [number, number] => [s, r.train.curves[pick][k]]) }));
  const size = { width: PICTURE_WIDTH, height: 280 };
  return [
    drawCurves(sweep, { title: "ACDC τ sweep: faithfulness vs edges", xLabel: "edges kept",
      yLabel: `faithfulness (${metric})`, logY: true, ...size }),
    drawCurves(train("loss"), { title: "training loss", xLabel: "step", yLabel: "task loss", logY: true, ...size }),
    drawCurves(train("cost"), { title: "connection cost", xLabel: "step", yLabel: "cost", logY: true, ...size }),
  ].join("\n");
}

/** A mode's network, and its ACDC circuit at the default τ (nothing for a record without a model). */
function network(r: RunRecord): string {
  if (!r.model) return "";
  const title = `${r.mode}: network`;
  if (isTransformerSnapshot(r.model)) return drawTransformer(r.model, { ...names(r), width: PICTURE_WIDTH, title });
  return drawNetwork(r.model, { ...names(r), width: PICTURE_WIDTH, title });
}

function circuit(r: RunRecord): string {
  if (!r.model || !r.circuit) return "";
  const s = r.circuit.scores;
  const title = `${r.mode}: ACDC circuit`;
  const caption = `${s.edges} of ${s.totalEdges} edges · ${s.faithfulnessMetric} ${s.faithfulness?.toExponential(2)}`;
  if (isTransformerSnapshot(r.model)) {
    if (!("kind" in r.circuit)) return "";
    return drawTransformer(r.model, { ...names(r), width: PICTURE_WIDTH, circuit: circuitView(r.circuit.edges), title, caption });
  }
  if ("kind" in r.circuit) return "";
  return drawNetwork(r.model, { ...names(r), width: PICTURE_WIDTH, circuit: { kept: circuitMask(r.circuit, r.model.spec) },
    title, caption });
}

/** The circuit's heads as heatmaps, one picture per mode (wide: the heads side by side). */
function attentionPicture(r: RunRecord): string {
  const a = r.attention!;
  const heads = a.heads.map((h) => ({ head: h.head, T: a.T, probs: h.probs, note: h.note }));
  return drawAttention(heads, { width: 3 * PICTURE_WIDTH + 24, tokens: a.tokens, marks: a.marks,
    title: `${r.mode}: attention of the circuit's heads` });
}

function names(r: RunRecord): { inputNames?: string[]; outputNames?: string[]; tokenNames?: string[] } {
  const meta = (r.model as ModelSnapshot | undefined)?.meta ?? {};
  const list = (k: string) => (Array.isArray(meta[k]) ? (meta[k] as string[]) : undefined);
  return { inputNames: list("inputNames"), outputNames: list("outputNames"), tokenNames: list("tokenNames") };
}
