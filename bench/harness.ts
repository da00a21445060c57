// Benchmark plumbing shared by every suite, on every runtime (Node, Deno, Bun, a browser's Web Worker):
// timing (warm-up, then repeated samples, every sample kept), validation records (a case is timed only
// after it matched its reference), result rows with ratios against baselines measured in the same
// process, and the one-runtime table. Nothing here imports a runtime's modules: what differs between
// runtimes (reading the tfjs-wasm binary, CPU facts, writing files) is in bench/runtimes/.
import type { Engine } from "../src/engine/engine.ts";

/** The runtimes the bench runs on. */
export const RUNTIMES = ["node", "deno", "bun", "chromium"] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

/**
 * How much to run: `full` is the reference bench; `quick` a tour of about a minute with the headline
 * cases; `smoke` one tiny case per suite with minimal timing, for tests (its times mean nothing).
 */
export const SETTINGS = ["full", "quick", "smoke"] as const;
export type BenchSetting = (typeof SETTINGS)[number];

/** One timed operation: the median wall time of a call, over `samples` samples. */
export interface Measure {
  ms: number;
  samples: number;
  /** A derived throughput for the table, e.g. "20.5 GFLOP/s". */
  rate?: string;
  /** Every sample, in ms per call, in the order taken (absent for constants: anchors and budgets). */
  raw?: number[];
  /** Calls per sample (each sample repeats the call so that the timer's resolution never dominates). */
  reps?: number;
  /** Position in the run's event order (mark()) when the timing began. */
  at?: number;
}

/** A check that passed: what was compared and when (in the run's event order). */
export interface Validation {
  label: string;
  at: number;
  /** Largest |got − want| of a numeric check, when there is one. */
  maxAbsError?: number;
}

/** brainwire against named baselines on one case; ratio = baseline ms / brainwire ms (> 1: we are faster). */
export interface Row {
  suite: string;
  case: string;
  ours: Measure;
  baselines: Record<string, Measure>;
  /** The speedup docs/benchmarks.md asks for against one baseline. */
  targets?: { baseline: string; ratio: number }[];
  /**
   * The checks that validated this case before it was timed. Left out, it is every check recorded since
   * the suite's previous row; give it when one check covers several rows.
   */
  validated?: Validation[];
}

export type Tf = typeof import("@tensorflow/tfjs-core");

export interface BenchContext {
  engine: Engine;
  /** tfjs-core on the single-threaded SIMD wasm backend, set up on first use. */
  tf(): Promise<Tf>;
  /** Records a result row (reported at once as progress, and again in the final table). */
  add(row: Row): void;
  /** How much to run (see BenchSetting). */
  setting: BenchSetting;
  /** The value for this run's setting: `ctx.choose({ full: CASES, quick: CASES.slice(0, 2), smoke: [TINY] })`. */
  choose<T>(bySetting: Record<BenchSetting, T>): T;
  /** A side note for the report (printed, and kept in the result file). */
  note(text: string): void;
  /** The runtime running the suite. */
  runtime: RuntimeName;
}

/** A benchmark suite: registered in bench/suites/index.ts, run in order. Never imports a runtime module. */
export interface Suite {
  name: string;
  /** Runtimes the suite cannot run on, and why (shown in the table); default: it runs everywhere. */
  unsupported?: { runtimes: RuntimeName[]; reason: string };
  run(ctx: BenchContext): Promise<void>;
}

export interface MeasureOptions {
  warmupMs?: number;
  /** Keep sampling until this much time per function has been spent and `minSamples` rounds were taken. */
  minMs?: number;
  minSamples?: number;
  /** Each sample repeats the call until it lasts at least this long, so timer resolution never dominates. */
  sampleMs?: number;
}

// The run's timing policy, set by the runner (bench/run.ts) for its setting and timer.
let policy = { setting: "full" as BenchSetting, minSampleMs: 0 };
let events = 0;

/** Sets the timing policy: `quick` shortens sampling, `smoke` takes 3 samples; samples last ≥ minSampleMs. */
export function configureTiming(setting: BenchSetting, timerResolutionMs: number): void {
  // 20 ticks per sample keeps the rounding of a coarse timer (browsers: 0.1 ms) below 5%.
  policy = { setting, minSampleMs: 20 * timerResolutionMs };
}

/** The next position in the run's event order: validations and timings are stamped with it. */
export function mark(): number {
  return ++events;
}

/** The smallest step of performance.now() seen over a few tries (browsers coarsen it). */
export function timerResolution(): number {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    let t1 = t0;
    while (t1 === t0) t1 = performance.now();
    best = Math.min(best, t1 - t0);
  }
  return best;
}

function effective(opts: MeasureOptions): Required<MeasureOptions> {
  const { warmupMs = 50, minMs = 300, minSamples = 5, sampleMs = 1 } = opts;
  const floor = policy.minSampleMs;
  if (policy.setting === "smoke") return { warmupMs: 0, minMs: 0, minSamples: 3, sampleMs: floor };
  const scale = policy.setting === "quick" ? 0.25 : 1;
  return { warmupMs: warmupMs * scale, minMs: minMs * scale, minSamples, sampleMs: Math.max(sampleMs, floor) };
}

/** Median ms per call of `fn` after warm-up. */
export function measure(fn: () => void, opts: MeasureOptions = {}): Measure {
  return measureInterleaved({ fn }, opts).fn;
}

/**
 * Median ms per call of each function, sampled in turns (a, b, a, b, …) so that a load spike on a shared
 * machine hits every contender alike and their ratio stays meaningful.
 */
export function measureInterleaved<K extends string>(fns: Record<K, () => void>, opts: MeasureOptions = {}) {
  const { warmupMs, minMs, minSamples, sampleMs } = effective(opts);
  const at = mark();
  const names = Object.keys(fns) as K[];
  const sample = (fn: () => void, reps: number) => {
    const t = performance.now();
    for (let i = 0; i < reps; i++) fn();
    return (performance.now() - t) / reps;
  };
  const reps = {} as Record<K, number>;
  for (const name of names) {
    reps[name] = 1;
    const warmEnd = performance.now() + warmupMs;
    do if (sample(fns[name], reps[name]) * reps[name] < sampleMs) reps[name] *= 2;
    while (performance.now() < warmEnd);
  }
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  const end = performance.now() + minMs * names.length;
  for (let round = 0; round < minSamples || performance.now() < end; round++) {
    for (const name of names) times[name].push(sample(fns[name], reps[name]));
  }
  return Object.fromEntries(names.map((n) => [n, {
    ms: median(times[n]), samples: times[n].length, raw: times[n], reps: reps[n], at,
  }])) as Record<K, Measure>;
}

/** One timed call (for work too long to repeat, or timed by the algorithm itself): `ms` may override the wall time. */
export function timeOnce<T>(fn: () => T): { value: T; measure: Measure } {
  const at = mark();
  const t = performance.now();
  const value = fn();
  const ms = performance.now() - t;
  return { value, measure: { ms, samples: 1, raw: [ms], reps: 1, at } };
}

/** The async counterpart of timeOnce: one awaited call. */
export async function timeOnceAsync<T>(fn: () => Promise<T>): Promise<{ value: T; measure: Measure }> {
  const at = mark();
  const t = performance.now();
  const value = await fn();
  const ms = performance.now() - t;
  return { value, measure: { ms, samples: 1, raw: [ms], reps: 1, at } };
}

/** Median ms of an awaited call (one call per sample: async work is long next to the timer's step). */
export async function measureAsync(fn: () => Promise<unknown>, opts: MeasureOptions = {}): Promise<Measure> {
  const { warmupMs, minMs, minSamples } = effective(opts);
  const at = mark();
  const warmEnd = performance.now() + warmupMs;
  do await fn();
  while (performance.now() < warmEnd);
  const raw: number[] = [];
  const end = performance.now() + minMs;
  while (raw.length < minSamples || performance.now() < end) {
    const t = performance.now();
    await fn();
    raw.push(performance.now() - t);
  }
  return { ms: median(raw), samples: raw.length, raw, reps: 1, at };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

export function ratio(row: Row, baseline: string): number | undefined {
  const b = row.baselines[baseline];
  return b ? b.ms / row.ours.ms : undefined;
}

export function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(4);
}

export function formatRatio(r: number | undefined): string {
  return r === undefined ? "" : `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×`;
}

// Checks made since the current suite's previous row: the runner attaches them to the next row.
let pending: Validation[] = [];

/** The checks recorded since the last call (the runner's hook; suites use checkClose and validate). */
export function takeValidations(): Validation[] {
  const out = pending;
  pending = [];
  return out;
}

/**
 * Throws unless |got − want| ≤ atol + rtol·|want| everywhere: benches validate before they time. Records
 * the check, which validates the suite's next row.
 */
export function checkClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  atol: number,
  rtol: number,
  label: string,
): Validation {
  if (got.length !== want.length) throw new Error(`${label}: length ${got.length}, want ${want.length}`);
  let maxAbsError = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= atol + rtol * Math.abs(want[i]))) throw new Error(`${label}: index ${i} is ${got[i]}, want ${want[i]}`);
    maxAbsError = Math.max(maxAbsError, err);
  }
  const v = { label, at: mark(), maxAbsError };
  pending.push(v);
  return v;
}

/** A check that is not a numeric comparison (e.g. two algorithms keep the same edges): throws `label: detail` unless ok. */
export function validate(ok: boolean, label: string, detail = "check failed"): Validation {
  if (!ok) throw new Error(`${label}: ${detail}`);
  const v = { label, at: mark() };
  pending.push(v);
  return v;
}

/** Why a row may not be reported: no check before its first timing, or a timing made outside the harness. */
export function rowProblem(row: Row, validated: Validation[]): string | undefined {
  if (validated.length === 0) return "no check against a reference before it was timed";
  const timed = [row.ours, ...Object.values(row.baselines)].filter((m) => m.samples > 0);
  if (timed.some((m) => m.at === undefined)) return "a timing made outside measure()/timeOnce() (no event mark)";
  const first = Math.min(...timed.map((m) => m.at!));
  const late = validated.filter((v) => v.at > first);
  if (late.length) return `checked only after it was timed (${late.map((v) => v.label).join("; ")})`;
  return undefined;
}

/** The one-runtime table: one line per row, a column per baseline, then the speedups. */
export function formatTable(rows: Row[]): string {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.baselines)))];
  const cell = (m: Measure | undefined) => (m ? `${formatMs(m.ms)} ms${m.rate ? ` (${m.rate})` : ""}` : "");
  const head = ["suite", "case", "brainwire", ...names, ...names.map((n) => `vs ${n}`), "target"];
  const body = rows.map((r) => {
    const targets = (r.targets ?? []).map((t) => {
      const met = (ratio(r, t.baseline) ?? 0) >= t.ratio;
      return `≥ ${t.ratio}× ${t.baseline} ${met ? "ok" : "MISSED"}`;
    });
    return [
      r.suite,
      r.case,
      cell(r.ours),
      ...names.map((n) => cell(r.baselines[n])),
      ...names.map((n) => formatRatio(ratio(r, n))),
      targets.join(", "),
    ];
  });
  return textTable(head, body);
}

/** Columns padded to their widest cell, two spaces apart, a rule under the header. */
export function textTable(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}
