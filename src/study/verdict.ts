// A verdict per task, written from its table: does BIMT win on the three claims the study tests
// (circuit quality, discovery time, sparsity), on the circuit's modularity (Newman's Q, the measure of
// the BIMT journal paper), and on what it costs (test metric, training time)?
// BIMT is compared with the best other mode in each column. A difference no larger than the larger of
// the two standard deviations is reported as within the seed spread, not as a win or a loss; equal
// means (e.g. recall 1 for every mode) as a tie.
import { formatValue, type Cell, type ColumnSpec, type TaskTable } from "./summary.ts";
import type { Mode } from "../train/modes.ts";

export type Claim = "quality" | "time" | "sparsity" | "modularity" | "cost";
export type Outcome = "better" | "worse" | "within" | "tie";

/** The columns a verdict weighs, and which claim each speaks to. */
const CRITERIA: [string, Claim][] = [
  ["faithfulness", "quality"],
  ["area", "quality"],
  ["precision", "quality"],
  ["recall", "quality"],
  ["kComposition", "quality"],
  ["auc", "quality"],
  ["discoveryTime", "time"],
  ["edges", "sparsity"],
  ["modularity", "modularity"],
  ["test", "cost"],
  ["trainTime", "cost"],
];

export interface Comparison {
  column: ColumnSpec;
  claim: Claim;
  subject: Cell;
  rival: { mode: Mode; cell: Cell };
  outcome: Outcome;
}

/** `subject` against the best other mode in every criterion column both have. */
export function compareModes(t: TaskTable, subject: Mode = "bimt"): Comparison[] {
  const own = t.rows.find((r) => r.key === subject);
  if (!own) return [];
  const out: Comparison[] = [];
  for (const [key, claim] of CRITERIA) {
    const column = t.columns.find((c) => c.key === key);
    const mine = own.cells[key];
    if (!column || !mine) continue;
    const sign = column.better === "higher" ? 1 : -1;
    let rival: { mode: Mode; cell: Cell } | undefined;
    for (const r of t.rows) {
      const c = r.cells[key];
      if (r.key === subject || !c) continue;
      if (!rival || sign * (c.mean - rival.cell.mean) > 0) rival = { mode: r.key, cell: c };
    }
    if (!rival) continue;
    const gain = sign * (mine.mean - rival.cell.mean);
    const spread = Math.max(mine.std ?? 0, rival.cell.std ?? 0);
    const outcome: Outcome = gain === 0 ? "tie" : Math.abs(gain) <= spread ? "within" : gain > 0 ? "better" : "worse";
    out.push({ column, claim, subject: mine, rival, outcome });
  }
  return out;
}

const CLAIM_WORDS: Record<Exclude<Claim, "cost">, string> = {
  quality: "circuit quality",
  time: "discovery time",
  sparsity: "sparsity",
  modularity: "modularity (the BIMT paper's measure)",
};

/** The verdict paragraph for one task (Markdown-free plain text). */
export function verdict(t: TaskTable, subject: Mode = "bimt"): string {
  const seeds = t.seeds.length;
  const head = `${t.task} (${seeds} seed${seeds === 1 ? "" : "s"}, our settings):`;
  if (!t.rows.some((r) => r.key === subject)) {
    return `${head} ${subject} was not run, so there is no verdict on it.`;
  }
  const cmp = compareModes(t, subject);
  if (cmp.length === 0) return `${head} only ${subject} was run; it needs a baseline to be compared with.`;
  const name = subject === "bimt" ? "BIMT" : subject;
  const v = (c: Cell, col: ColumnSpec) => formatValue(c.mean, col.format);
  const pair = (c: Comparison) => `${c.column.label}, ${v(c.subject, c.column)} vs ${v(c.rival.cell, c.column)} for ` +
    c.rival.mode;
  const parts: string[] = [head];
  const of = (o: Outcome) => cmp.filter((c) => c.outcome === o);
  const list = (o: Outcome) => of(o).map(pair).join("; ");
  if (of("better").length) parts.push(`${name} is best on ${list("better")}.`);
  if (of("worse").length) parts.push(`${name} is not best on ${list("worse")}.`);
  if (of("within").length) parts.push(`Within the seed spread on ${list("within")}.`);
  if (of("tie").length) parts.push(`Tied on ${of("tie").map((c) => c.column.label).join(", ")}.`);
  // The best rival is often l1; say too where BIMT beats the unregularised baseline.
  const plain = t.rows.some((r) => r.key === "vanilla") && t.rows.length > 2 ?
    compareModes({ ...t, rows: t.rows.filter((r) => r.key === subject || r.key === "vanilla") }, subject)
      .filter((c) => c.outcome === "better") : [];
  if (plain.length) parts.push(`Against vanilla alone it is better on ${plain.map((c) => c.column.label).join(", ")}.`);
  const claims = (Object.keys(CLAIM_WORDS) as (keyof typeof CLAIM_WORDS)[]).map((claim) => {
    const outs = cmp.filter((c) => c.claim === claim).map((c) => c.outcome);
    if (outs.length === 0) return undefined;
    const has = (o: Outcome) => outs.includes(o) || (o === "within" && outs.includes("tie"));
    const word = !has("worse") && !has("within") ? "yes" : !has("better") && !has("within") ? "no" :
      !has("better") && !has("worse") ? "no clear difference" : has("better") && has("worse") ? "mixed" :
      `${has("better") ? "yes" : "no"} on some measures, no clear difference on the rest`;
    return `${CLAIM_WORDS[claim]}: ${word}`;
  }).filter((s): s is string => s !== undefined);
  parts.push(`Does ${name} win? ${claims.join("; ")}.`);
  if (seeds === 1) parts.push("One seed only: there is no spread to judge these differences by.");
  return parts.join(" ");
}
