// The study's tables (docs/study.md "Report"): per task, modes as rows, mean ± std over seeds of each
// column, and the best mode per column by the column's direction. Two column groups: the trained model
// (quality, cost to train, inference) and its ACDC circuit at the task's default τ. A second table per
// task compares the discovery methods.
import type { RunRecord, StudyMethod, StudyPoint, StudySweep } from "./types.ts";
import { STUDY_METHODS } from "./types.ts";
import type { Mode } from "../train/modes.ts";
import type { TaskKind } from "../tasks/types.ts";

export type Better = "higher" | "lower";
export type Format = "percent" | "sci" | "fixed3" | "seconds" | "ms" | "mib" | "bytes" | "count" | "rate";

/** A column as data (the JSON report carries these); `COLUMN_VALUES` reads its value from a record. */
export interface ColumnSpec {
  key: string;
  label: string;
  group: "model" | "circuit";
  better: Better;
  format: Format;
}

/** Mean and sample standard deviation (n − 1; absent for a single value) of one column over seeds. */
export interface Cell {
  mean: number;
  std?: number;
  n: number;
}

export interface Row<K = Mode> {
  key: K;
  cells: Record<string, Cell | undefined>;
}

export interface TaskTable {
  task: string;
  kind: TaskKind;
  seeds: number[];
  columns: ColumnSpec[];
  rows: Row[];
  /** Per column key, the modes whose mean is the best (ties all marked; none with fewer than 2 rows). */
  best: Record<string, Mode[]>;
}

export interface MethodTable {
  task: string;
  columns: ColumnSpec[];
  rows: Row<{ mode: Mode; method: StudyMethod }>[];
}

type Get = (r: RunRecord) => number | undefined;

const acdcAt = (r: RunRecord): StudyPoint => r.methods.acdc.atDefault;
/** A yes/no of the ground truth as 1/0, so its mean over seeds is the share of seeds where it holds. */
const share = (b: boolean | undefined) => (b === undefined ? undefined : b ? 1 : 0);

/** Value getters by column key (functions stay out of the JSON report). */
export const COLUMN_VALUES: Record<string, Get> = {
  test: (r) => r.train.test,
  trainTime: (r) => r.train.wallMs / 1000,
  wasm: (r) => r.train.wasmPeakInUse,
  jsHeap: (r) => r.train.jsHeapPeak,
  dense: (r) => r.inference.denseSamplesPerSecond,
  circuit: (r) => r.inference.circuitSamplesPerSecond,
  faithfulness: (r) => acdcAt(r).faithfulness,
  edges: (r) => acdcAt(r).edges,
  sparsity: (r) => acdcAt(r).sparsity,
  discoveryTime: (r) => acdcAt(r).ms,
  area: (r) => r.methods.acdc.sweep.area,
  precision: (r) => acdcAt(r).groundTruth?.precision ?? undefined, // null (claims nothing) shows "–"
  recall: (r) => acdcAt(r).groundTruth?.recall,
  kComposition: (r) => share(acdcAt(r).groundTruth?.kComposition),
  auc: (r) => r.methods.acdc.sweep.auc,
  modularity: (r) => acdcAt(r).modularity,
};

/**
 * The columns of a task's table; ground-truth columns only where some run has ground truth, the
 * K-composition column where some run checks it (induction).
 */
export function taskColumns(kind: TaskKind, faithfulness: "kl" | "mse", truth: boolean, auc: boolean,
  kComposition = false): ColumnSpec[] {
  const cols: ColumnSpec[] = [
    kind === "classification" ?
      { key: "test", label: "test accuracy", group: "model", better: "higher", format: "percent" } :
      { key: "test", label: "test MSE", group: "model", better: "lower", format: "sci" },
    { key: "trainTime", label: "training time", group: "model", better: "lower", format: "seconds" },
    { key: "wasm", label: "WASM peak in use", group: "model", better: "lower", format: "bytes" },
    { key: "jsHeap", label: "JS heap peak", group: "model", better: "lower", format: "mib" },
    { key: "dense", label: "dense inference", group: "model", better: "higher", format: "rate" },
    { key: "circuit", label: "circuit inference", group: "model", better: "higher", format: "rate" },
    { key: "faithfulness", label: `faithfulness (${faithfulness})`, group: "circuit", better: "lower", format: "sci" },
    { key: "edges", label: "edges kept", group: "circuit", better: "lower", format: "count" },
    { key: "sparsity", label: "sparsity", group: "circuit", better: "higher", format: "percent" },
    { key: "discoveryTime", label: "discovery time", group: "circuit", better: "lower", format: "ms" },
    { key: "area", label: "area (faithfulness vs edges)", group: "circuit", better: "lower", format: "sci" },
  ];
  if (truth) {
    cols.push(
      { key: "precision", label: "truth precision", group: "circuit", better: "higher", format: "fixed3" },
      { key: "recall", label: "truth recall", group: "circuit", better: "higher", format: "fixed3" },
    );
    if (kComposition) {
      cols.push({ key: "kComposition", label: "K-composition edge kept", group: "circuit", better: "higher", format: "percent" });
    }
    if (auc) cols.push({ key: "auc", label: "truth ROC AUC", group: "circuit", better: "higher", format: "fixed3" });
  }
  cols.push({ key: "modularity", label: "modularity Q", group: "circuit", better: "higher", format: "fixed3" });
  return cols;
}

export function cell(values: (number | undefined)[]): Cell | undefined {
  const v = values.filter((x): x is number => x !== undefined && Number.isFinite(x));
  if (v.length === 0) return undefined;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  if (v.length < 2) return { mean, n: 1 };
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
  return { mean, std, n: v.length };
}

/** Per column, the keys of the rows with the best mean; nothing to mark among fewer than two rows. */
export function bestRows<K>(rows: Row<K>[], columns: ColumnSpec[]): Record<string, K[]> {
  const best: Record<string, K[]> = {};
  for (const c of columns) {
    const have = rows.filter((r) => r.cells[c.key] !== undefined);
    if (have.length < 2) continue;
    const means = have.map((r) => r.cells[c.key]!.mean);
    const top = c.better === "higher" ? Math.max(...means) : Math.min(...means);
    best[c.key] = have.filter((r) => r.cells[c.key]!.mean === top).map((r) => r.key);
  }
  return best;
}

/** One table per task, in the order the runs were made; modes in the order first run. */
export function taskTables(runs: RunRecord[]): TaskTable[] {
  return groupBy(runs, (r) => r.task).map(([task, list]) => {
    const first = list[0];
    const columns = taskColumns(first.kind, first.methods.acdc.atDefault.faithfulnessMetric,
      list.some((r) => acdcAt(r).groundTruth), list.some((r) => r.methods.acdc.sweep.auc !== undefined),
      list.some((r) => acdcAt(r).groundTruth?.kComposition !== undefined))
      // columns that no run of the task measured (the JS heap off Node, circuit inference of transformers)
      .filter((c) => !["jsHeap", "circuit"].includes(c.key) || list.some((r) => COLUMN_VALUES[c.key](r) !== undefined));
    const rows: Row[] = groupBy(list, (r) => r.mode).map(([mode, rs]) => ({
      key: mode,
      cells: Object.fromEntries(columns.map((c) => [c.key, cell(rs.map(COLUMN_VALUES[c.key]))])),
    }));
    const seeds = [...new Set(list.map((r) => r.seed))];
    return { task, kind: first.kind, seeds, columns, rows, best: bestRows(rows, columns) };
  });
}

const METHOD_GET: Record<string, (m: { atDefault: StudyPoint; sweep: StudySweep }) => number | undefined> = {
  faithfulness: (m) => m.atDefault.faithfulness,
  edges: (m) => m.atDefault.edges,
  discoveryTime: (m) => m.atDefault.ms,
  area: (m) => m.sweep.area,
  precision: (m) => m.atDefault.groundTruth?.precision ?? undefined,
  recall: (m) => m.atDefault.groundTruth?.recall,
  kComposition: (m) => share(m.atDefault.groundTruth?.kComposition),
  auc: (m) => m.sweep.auc,
};

/** Per task, mode × method rows with the circuit columns that every method has. */
export function methodTables(tables: TaskTable[], runs: RunRecord[]): MethodTable[] {
  return tables.map((t) => {
    const columns = t.columns.filter((c) => c.key in METHOD_GET);
    const list = runs.filter((r) => r.task === t.task);
    const rows = t.rows.flatMap((row) => STUDY_METHODS.map((method) => {
      const rs = list.filter((r) => r.mode === row.key);
      return {
        key: { mode: row.key, method },
        cells: Object.fromEntries(columns.map((c) => [c.key, cell(rs.map((r) => METHOD_GET[c.key](r.methods[method])))])),
      };
    }));
    return { task: t.task, columns, rows };
  });
}

/** Groups in first-seen order. */
function groupBy<T, K>(items: T[], key: (t: T) => K): [K, T[]][] {
  const groups = new Map<K, T[]>();
  for (const it of items) {
    const k = key(it);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(it);
  }
  return [...groups];
}

const SI: [number, string][] = [[1e9, "G"], [1e6, "M"], [1e3, "k"]];

/** One number in a column's format (std uses the same units). */
export function formatValue(v: number, f: Format): string {
  switch (f) {
    case "percent":
      return `${(v * 100).toFixed(1)}%`;
    case "sci":
      return v === 0 ? "0" : v.toExponential(2);
    case "fixed3":
      return v.toFixed(3);
    case "seconds":
      return `${sig(v)} s`;
    case "ms":
      return `${sig(v)} ms`;
    case "mib":
      return `${(v / 2 ** 20).toFixed(1)} MiB`;
    case "bytes":
      // Small models allocate KiBs: MiB would print 0.0 for all of them.
      return v < 2 ** 20 ? `${(v / 1024).toFixed(1)} KiB` : `${(v / 2 ** 20).toFixed(1)} MiB`;
    case "count":
      return Number.isInteger(v) ? String(v) : v.toFixed(1);
    case "rate": {
      const [scale, suffix] = SI.find(([s]) => Math.abs(v) >= s) ?? [1, ""];
      return `${sig(v / scale)}${suffix}/s`;
    }
  }
}

/** "mean ± std", or the mean alone from one seed; "–" when there is no value. */
export function formatCell(c: Cell | undefined, f: Format): string {
  if (!c) return "–";
  return c.std === undefined ? formatValue(c.mean, f) : `${formatValue(c.mean, f)} ± ${formatValue(c.std, f)}`;
}

function sig(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3)));
}
