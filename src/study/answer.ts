// The study's answer in one table, which the report opens with: for every task (MLP and transformer
// alike), each claim the study tests (circuit quality, discovery time, sparsity, modularity) and what
// BIMT costs (the test metric), marked better, worse, or within the seed spread. BIMT is compared
// with the best baseline in each measure: vanilla and l1, the "existing models" of the claim (the
// other ladder modes are BIMT with a part switched off, weighed in the per-task verdicts instead).
// The rule is the verdicts' (verdict.ts): a difference no larger than the larger standard deviation
// of the two is within the seed spread; equal means count as within.
import { compareModes, type Comparison, type Outcome } from "./verdict.ts";
import { formatValue, type TaskTable } from "./summary.ts";
import type { Mode } from "../train/modes.ts";

export const ANSWER_CLAIMS = ["quality", "time", "sparsity", "modularity", "accuracy"] as const;
export type AnswerClaim = (typeof ANSWER_CLAIMS)[number];

/** The columns of the task table that each claim weighs. */
const MEASURES: Record<AnswerClaim, string[]> = {
  quality: ["faithfulness", "area", "precision", "recall", "kComposition", "auc"],
  time: ["discoveryTime"],
  sparsity: ["edges"],
  modularity: ["modularity"],
  accuracy: ["test"],
};

export const CLAIM_LABELS: Record<AnswerClaim, string> = {
  quality: "circuit quality",
  time: "discovery time",
  sparsity: "sparsity",
  modularity: "modularity",
  accuracy: "accuracy cost (test metric)",
};

/** "none": nothing to compare (BIMT or every baseline missing, or no value for the measure). */
export type Mark = "better" | "worse" | "within" | "mixed" | "none";

/** The baselines BIMT is held against. */
export const BASELINES: Mode[] = ["vanilla", "l1"];

export interface AnswerMeasure {
  key: string;
  label: string;
  outcome: "better" | "worse" | "within";
  /** BIMT's mean, the best baseline's mean and which baseline, as the table formats them. */
  subject: string;
  rival: string;
  rivalMode: Mode;
}

export interface AnswerCell {
  claim: AnswerClaim;
  mark: Mark;
  measures: AnswerMeasure[];
}

export interface AnswerRow {
  task: string;
  seeds: number;
  cells: AnswerCell[];
  /** Why a row has no marks (BIMT not run, no baseline). */
  note?: string;
}

export interface AnswerTable {
  subject: Mode;
  rows: AnswerRow[];
}

const within = (o: Outcome): "better" | "worse" | "within" => (o === "tie" ? "within" : o);

/** One row per task, in the tables' order. */
export function answerTable(tables: TaskTable[], subject: Mode = "bimt"): AnswerTable {
  return { subject, rows: tables.map((t) => answerRow(t, subject)) };
}

function answerRow(t: TaskTable, subject: Mode): AnswerRow {
  const seeds = t.seeds.length;
  const empty = (note: string): AnswerRow => ({ task: t.task, seeds, note,
    cells: ANSWER_CLAIMS.map((claim) => ({ claim, mark: "none", measures: [] })) });
  if (!t.rows.some((r) => r.key === subject)) return empty(`${subject} was not run`);
  if (!t.rows.some((r) => BASELINES.includes(r.key))) return empty(`no baseline (${BASELINES.join(", ")}) was run`);
  const baselines = { ...t, rows: t.rows.filter((r) => r.key === subject || BASELINES.includes(r.key)) };
  const cmp = compareModes(baselines, subject);
  const cells = ANSWER_CLAIMS.map((claim): AnswerCell => {
    const measures = MEASURES[claim].flatMap((key) => {
      const c = cmp.find((x) => x.column.key === key);
      return c ? [measure(c)] : [];
    });
    return { claim, mark: markOf(measures.map((m) => m.outcome)), measures };
  });
  return { task: t.task, seeds, cells };
}

function measure(c: Comparison): AnswerMeasure {
  const f = (v: number) => formatValue(v, c.column.format);
  return { key: c.column.key, label: c.column.label, outcome: within(c.outcome), subject: f(c.subject.mean),
    rival: f(c.rival.cell.mean), rivalMode: c.rival.mode };
}

/** Better when some measure is better and none worse; worse likewise; mixed when both; else within. */
export function markOf(outcomes: ("better" | "worse" | "within")[]): Mark {
  if (outcomes.length === 0) return "none";
  const better = outcomes.includes("better");
  const worse = outcomes.includes("worse");
  return better && worse ? "mixed" : better ? "better" : worse ? "worse" : "within";
}

export const MARK_WORDS: Record<Mark, string> = {
  better: "better",
  worse: "worse",
  within: "within spread",
  mixed: "mixed",
  none: "–",
};

/**
 * A cell as one line of text: the mark, then the numbers behind it. A single measure shows
 * "bimt vs baseline (mode)"; several (quality) show each measure's outcome, so "better" on one of
 * three is not read as better on all.
 */
export function answerText(c: AnswerCell, mark: (word: string) => string = (w) => w): string {
  if (c.mark === "none") return MARK_WORDS.none;
  if (c.measures.length === 1) {
    const m = c.measures[0];
    return `${mark(MARK_WORDS[c.mark])}: ${m.subject} vs ${m.rival} (${m.rivalMode})`;
  }
  const sign = { better: "+", worse: "−", within: "≈" } as const;
  return `${mark(MARK_WORDS[c.mark])}: ${c.measures.map((m) => `${shortLabel(m.label)} ${sign[m.outcome]}`).join(", ")}`;
}

/** "faithfulness (kl)" → "faithfulness", "area (faithfulness vs edges)" → "area", "truth precision" → "precision". */
function shortLabel(label: string): string {
  return label.replace(/ \(.*\)$/, "").replace(/^truth /, "");
}

/** What the answer table's marks mean, for the line under it. */
export function answerLegend(a: AnswerTable): string {
  const name = a.subject === "bimt" ? "BIMT" : a.subject;
  return `${name} against the best of ${BASELINES.join(" and ")} in each measure (our settings; mean over seeds). ` +
    "better / worse: the difference exceeds the larger seed standard deviation of the two; within spread: it " +
    "does not; mixed: better on some measures of the claim, worse on others (+ better, − worse, ≈ within). " +
    "Circuit quality weighs faithfulness at the default τ, the area under faithfulness vs edges and, where a " +
    "task has ground truth, precision, recall, ROC AUC (MLP symbolic tasks) and whether the K-composition edge is " +
    "kept (induction); sparsity is edges kept; accuracy is the test metric " +
    "(MSE for regression). With one seed there is no spread: every difference is marked.";
}
