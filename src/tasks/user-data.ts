// User data for `--data file.csv|file.json`: text in, Dataset out (reading the file is the caller's job, see
// node-files.ts). Every error names where the problem is (CSV line and column, or JSON path) so a user can fix
// the file without reading this code. The formats and the label rules are documented in docs/data.md.
import { Rng } from "../engine/random.ts";
import type { Dataset, LambdaPhase, Split, Task, TaskKind, TrainSettings } from "./types.ts";
import { numberedNames, splitByOrder } from "./split.ts";
import { mlpSettings } from "./reference-settings.ts";

export interface UserDataOptions {
  /** CSV: names of the target columns (default: the last column). */
  targets?: string[];
  /** Default: the JSON "kind", else classification iff there is one target and some target is not a number. */
  kind?: TaskKind;
  /** Hold out this fraction (0 < f < 1) of the rows as the test set, chosen by a seeded shuffle. */
  testFraction?: number;
  /** Seed of the testFraction shuffle (default 0). */
  seed?: number;
  /** Prefix for error messages, e.g. the file name. */
  source?: string;
}

/** A parsed table before labels are decided: inputs already checked, target cells kept raw. */
interface Table {
  n: number;
  nIn: number;
  nOut: number;
  x: number[];
  y: (number | string)[];
  /** Where target cell (row, col) came from, for error messages. */
  at(row: number, col: number): string;
}

interface Parsed {
  train: Table;
  test?: Table;
  kind?: TaskKind;
  inputNames?: string[];
  /** CSV: the target column names (regression outputs). */
  targetNames?: string[];
  /** JSON: explicit output names (regression targets or classes). */
  outputNames?: string[];
}

export function parseUserData(text: string, format: "csv" | "json", opts: UserDataOptions = {}): Dataset {
  try {
    if (format === "json" && opts.targets) {
      throw new Error('the targets option applies to CSV only; JSON targets are "y"');
    }
    return toDataset(format === "csv" ? parseCsv(text, opts.targets) : parseJson(text), opts);
  } catch (e) {
    if (opts.source && e instanceof Error) e.message = `${opts.source}: ${e.message}`;
    throw e;
  }
}

// ---- numbers ----

function toNumber(cell: unknown, where: string): number {
  if (typeof cell === "number") {
    if (!Number.isFinite(cell)) throw new Error(`${where}: ${cell} is not a finite number`);
    return cell;
  }
  if (typeof cell !== "string") throw new Error(`${where}: ${JSON.stringify(cell)} is not a number`);
  const s = cell.trim();
  if (s === "") throw new Error(`${where}: empty value`);
  const v = Number(s);
  if (/^[+-]?(nan|inf|infinity)$/i.test(s)) throw new Error(`${where}: ${s} is not a finite number`);
  if (Number.isNaN(v)) throw new Error(`${where}: "${s}" is not a number`);
  if (!Number.isFinite(v)) throw new Error(`${where}: ${s} is not a finite number`);
  return v;
}

// ---- CSV ----

/** RFC 4180 records: comma-separated, optional double quotes ("" escapes a quote), blank lines skipped. */
function csvRecords(text: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0].trim() !== "") out.push({ line: recordLine, fields });
    fields = [];
    field = "";
  };
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"' && field.trim() === "") {
      quoted = true;
      field = "";
    } else if (ch === ",") {
      fields.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && s[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += ch;
  }
  if (quoted) throw new Error(`CSV line ${recordLine}: unterminated quoted value`);
  endRecord();
  return out;
}

function parseCsv(text: string, targets: string[] | undefined): Parsed {
  const records = csvRecords(text);
  if (records.length === 0) throw new Error("CSV: empty data (no header row)");
  const header = records[0].fields.map((h) => h.trim());
  header.forEach((h, c) => {
    if (h === "") throw new Error(`CSV header: column ${c + 1} has no name`);
    if (header.indexOf(h) !== c) throw new Error(`CSV header: duplicate column name "${h}"`);
  });
  if (records.length === 1) throw new Error("CSV: empty data (a header row but no data rows)");
  const targetNames = targets ?? [header[header.length - 1]];
  if (targetNames.length === 0) throw new Error("CSV: the targets option names no column");
  const targetCols = targetNames.map((t) => {
    const c = header.indexOf(t);
    if (c < 0) throw new Error(`CSV: unknown target column "${t}"; the columns are: ${header.join(", ")}`);
    return c;
  });
  const inputCols = header.map((_, c) => c).filter((c) => !targetCols.includes(c));
  if (inputCols.length === 0) throw new Error("CSV: no input columns left after taking the target columns");
  const rows = records.slice(1);
  const x: number[] = [];
  const y: string[] = [];
  for (const { line, fields } of rows) {
    if (fields.length !== header.length) {
      throw new Error(
        `CSV line ${line}: ragged row, ${fields.length} values but the header has ${header.length} columns`,
      );
    }
    for (const c of inputCols) x.push(toNumber(fields[c], `CSV line ${line}, column "${header[c]}"`));
    for (const c of targetCols) y.push(fields[c].trim());
  }
  return {
    train: {
      n: rows.length,
      nIn: inputCols.length,
      nOut: targetCols.length,
      x,
      y,
      at: (r, c) => `CSV line ${rows[r].line}, column "${header[targetCols[c]]}"`,
    },
    inputNames: inputCols.map((c) => header[c]),
    targetNames,
  };
}

// ---- JSON ----

const JSON_KEYS = ["x", "y", "kind", "test", "inputNames", "outputNames"];

function parseJson(text: string): Parsed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`JSON: not valid JSON (${(e as Error).message})`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new Error('JSON: expected an object { "x": number[][], "y": ... }');
  }
  const o = doc as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!JSON_KEYS.includes(k)) throw new Error(`JSON: unknown key "${k}" (expected ${JSON_KEYS.join(", ")})`);
  }
  if (o.kind !== undefined && o.kind !== "regression" && o.kind !== "classification") {
    throw new Error(`JSON "kind": expected "regression" or "classification", got ${JSON.stringify(o.kind)}`);
  }
  const train = jsonTable(o.x, o.y, "");
  let test: Table | undefined;
  if (o.test !== undefined) {
    if (typeof o.test !== "object" || o.test === null || Array.isArray(o.test)) {
      throw new Error('JSON "test": expected an object { "x": number[][], "y": ... }');
    }
    const t = o.test as Record<string, unknown>;
    test = jsonTable(t.x, t.y, "test.");
    if (test.nIn !== train.nIn) throw new Error(`JSON test.x has ${test.nIn} columns but x has ${train.nIn}`);
    if (test.nOut !== train.nOut) throw new Error(`JSON test.y has ${test.nOut} columns but y has ${train.nOut}`);
  }
  return {
    train,
    test,
    kind: o.kind as TaskKind | undefined,
    inputNames: jsonNames(o.inputNames, "inputNames", train.nIn),
    outputNames: jsonNames(o.outputNames, "outputNames", undefined),
  };
}

function jsonTable(xs: unknown, ys: unknown, prefix: string): Table {
  if (!Array.isArray(xs)) throw new Error(`JSON "${prefix}x": expected an array of rows (number[][])`);
  if (!Array.isArray(ys)) throw new Error(`JSON "${prefix}y": expected an array (number[], string[] or number[][])`);
  if (xs.length === 0) throw new Error(`JSON ${prefix}x: empty data (no rows)`);
  if (xs.length !== ys.length) {
    throw new Error(`JSON: ${prefix}x has ${xs.length} rows but ${prefix}y has ${ys.length}`);
  }
  const width = (row: unknown, path: string): number => {
    if (!Array.isArray(row)) throw new Error(`JSON ${path}: expected an array of numbers`);
    return row.length;
  };
  const nIn = width(xs[0], `${prefix}x[0]`);
  if (nIn === 0) throw new Error(`JSON ${prefix}x[0]: a row with no values`);
  const x: number[] = [];
  xs.forEach((row, r) => {
    const w = width(row, `${prefix}x[${r}]`);
    if (w !== nIn) throw new Error(`JSON ${prefix}x[${r}]: ragged row, ${w} values but ${prefix}x[0] has ${nIn}`);
    (row as unknown[]).forEach((v, c) => x.push(toNumber(v, `JSON ${prefix}x[${r}][${c}]`)));
  });
  const nested = Array.isArray(ys[0]);
  const nOut = nested ? width(ys[0], `${prefix}y[0]`) : 1;
  if (nOut === 0) throw new Error(`JSON ${prefix}y[0]: a row with no values`);
  const y: (number | string)[] = [];
  ys.forEach((row, r) => {
    const cells = nested ? row : [row];
    if (nested) {
      const w = width(row, `${prefix}y[${r}]`);
      if (w !== nOut) throw new Error(`JSON ${prefix}y[${r}]: ragged row, ${w} values but ${prefix}y[0] has ${nOut}`);
    } else if (Array.isArray(row)) throw new Error(`JSON ${prefix}y[${r}]: an array, but ${prefix}y[0] is not`);
    (cells as unknown[]).forEach((v, c) => {
      const at = nested ? `JSON ${prefix}y[${r}][${c}]` : `JSON ${prefix}y[${r}]`;
      if (typeof v === "string") y.push(v.trim());
      else if (typeof v === "number") y.push(toNumber(v, at));
      else throw new Error(`${at}: ${JSON.stringify(v)} is neither a number nor a label string`);
    });
  });
  return {
    n: xs.length,
    nIn,
    nOut,
    x,
    y,
    at: (r, c) => (nested ? `JSON ${prefix}y[${r}][${c}]` : `JSON ${prefix}y[${r}]`),
  };
}

function jsonNames(v: unknown, key: string, length: number | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw new Error(`JSON "${key}": expected string[]`);
  if (length !== undefined && v.length !== length) {
    throw new Error(`JSON "${key}": ${v.length} names for ${length} columns`);
  }
  return v as string[];
}

// ---- labels, split ----

function toDataset(p: Parsed, opts: UserDataOptions): Dataset {
  const tables = p.test ? [p.train, p.test] : [p.train];
  // "NaN"/"Infinity" count as numbers here, so a numeric column with one of them fails as "not finite".
  const isNumber = (v: number | string) =>
    typeof v === "number" || (v !== "" && (!Number.isNaN(Number(v)) || /^[+-]?(nan|inf|infinity)$/i.test(v)));
  const inferred: TaskKind =
    p.train.nOut === 1 && tables.some((t) => t.y.some((v) => !isNumber(v))) ? "classification" : "regression";
  const kind = opts.kind ?? p.kind ?? inferred;

  let outputDim: number;
  let ys: (Float32Array | Int32Array)[];
  let outputNames: string[];
  if (kind === "regression") {
    outputDim = p.train.nOut;
    ys = tables.map((t) => Float32Array.from(t.y, (v, i) => toNumber(v, t.at(Math.floor(i / t.nOut), i % t.nOut))));
    outputNames = p.outputNames ?? p.targetNames ?? numberedNames("y", outputDim);
  } else {
    if (p.train.nOut !== 1) {
      throw new Error(`classification needs exactly one target column, got ${p.train.nOut}`);
    }
    for (const t of tables) {
      t.y.forEach((v, r) => {
        if (v === "") throw new Error(`${t.at(r, 0)}: empty label`);
      });
    }
    const labels = classLabels(tables.flatMap((t) => t.y));
    outputDim = labels.names.length;
    ys = tables.map((t) => Int32Array.from(t.y, (v) => labels.id.get(String(v))!));
    outputNames = p.outputNames ?? labels.names;
  }
  if (outputNames.length !== outputDim) {
    throw new Error(`outputNames: ${outputNames.length} names for ${outputDim} outputs`);
  }

  const xs = tables.map((t) => Float32Array.from(t.x));
  let train: Split = { n: p.train.n, x: xs[0], y: ys[0] };
  let test: Split = p.test
    ? { n: p.test.n, x: xs[1], y: ys[1] }
    : { n: 0, x: new Float32Array(0), y: kind === "regression" ? new Float32Array(0) : new Int32Array(0) };

  if (opts.testFraction !== undefined) {
    const f = opts.testFraction;
    if (p.test) throw new Error("give either an explicit test set or testFraction, not both");
    if (!(f > 0 && f < 1)) throw new Error(`testFraction must be in (0, 1), got ${f}`);
    const n = p.train.n;
    const nTest = Math.round(f * n);
    if (nTest < 1 || nTest > n - 1) {
      throw new Error(
        `testFraction ${f} of ${n} rows leaves ${nTest} test and ${n - nTest} train rows; both need ≥ 1`,
      );
    }
    const order = new Rng(opts.seed ?? 0).permutation(n);
    const yCols = kind === "regression" ? outputDim : 1;
    ({ train, test } = splitByOrder(train.x, p.train.nIn, train.y, yCols, order, n - nTest));
  }

  return {
    kind,
    inputDim: p.train.nIn,
    outputDim,
    train,
    test,
    inputNames: p.inputNames ?? numberedNames("x", p.train.nIn),
    outputNames,
  };
}

/**
 * Class ids for label values. All labels non-negative integers: label k is class k, C = max + 1 (labels
 * 0..C−1 keep their meaning). Otherwise: the distinct label strings, sorted by code unit, are classes 0..C−1.
 */
function classLabels(values: (number | string)[]): { id: Map<string, number>; names: string[] } {
  const distinct = [...new Set(values.map(String))];
  if (distinct.length < 2) {
    throw new Error(`classification needs at least 2 classes, found ${distinct.length} (${distinct.join(", ")})`);
  }
  const ints = distinct.map((s) => (/^\s*\+?\d+(\.0*)?\s*$/.test(s) ? Number(s) : -1));
  if (ints.every((k) => k >= 0 && Number.isSafeInteger(k))) {
    const c = Math.max(...ints) + 1;
    if (c > 100000) throw new Error(`classification: label ${c - 1} would need ${c} classes; use labels 0..C-1`);
    return { id: new Map(distinct.map((s, i) => [s, ints[i]])), names: Array.from({ length: c }, (_, k) => String(k)) };
  }
  distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { id: new Map(distinct.map((s, i) => [s, i])), names: distinct };
}

// ---- task ----

/** Overrides for a user task: any setting, plus a name and description. */
export type UserTaskOverrides = Partial<TrainSettings> & { name?: string; description?: string };

/**
 * A Task for user data with two-moons-like defaults: shape [dIn, 20, 20, dOut], MSE (regression) or CE
 * (classification), 10,000 steps, lr 2e-3, λ 1e-3 then 1e-2 from half-way, A = 1, l0 = 0.2, sum form, swaps every
 * 200 steps with top_k 10, full batch up to 1,000 rows else batch 100. The data are fixed, so make() ignores
 * its seed (the testFraction seed was applied when parsing).
 */
export function userTask(dataset: Dataset, overrides: UserTaskOverrides = {}): Task {
  if (dataset.tokens !== undefined) throw new Error("userTask: token datasets need an embedding model; not supported");
  const { name = "user", description, ...settings } = overrides;
  const steps = settings.steps ?? 10000;
  const lambda: LambdaPhase[] = [
    { from: 0, value: 1e-3 },
    { from: Math.floor(steps / 2), value: 1e-2 },
  ];
  return {
    name,
    description:
      description ??
      `User data: ${dataset.kind}, ${dataset.inputDim} inputs, ${dataset.outputDim} ` +
        `${dataset.kind === "regression" ? "targets" : "classes"}, ${dataset.train.n} train / ${dataset.test.n} test.`,
    settings: mlpSettings({
      model: { shape: [dataset.inputDim, 20, 20, dataset.outputDim], layout: "line", inFold: 1 },
      loss: dataset.kind === "regression" ? "mse" : "ce",
      steps,
      lambda,
      batch: dataset.train.n > 1000 ? 100 : undefined,
      ...settings,
    }),
    make: () => dataset,
  };
}
