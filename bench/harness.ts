// Benchmark plumbing shared by every suite: timing (warm-up, then the median of repeated samples),
// result rows with ratios against baselines measured in the same process, the tfjs-wasm baseline
// set-up, and the one table that `npm run bench` prints.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Engine } from "../src/engine/engine.ts";

/** One timed operation: the median wall time of a call, over `samples` samples. */
export interface Measure {
  ms: number;
  samples: number;
  /** A derived throughput for the table, e.g. "20.5 GFLOP/s". */
  rate?: string;
}

/** brainwire against named baselines on one case; ratio = baseline ms / brainwire ms (> 1: we are faster). */
export interface Row {
  suite: string;
  case: string;
  ours: Measure;
  baselines: Record<string, Measure>;
  /** The speedup docs/benchmarks.md asks for against one baseline. */
  targets?: { baseline: string; ratio: number }[];
}

export type Tf = typeof import("@tensorflow/tfjs-core");

export interface BenchContext {
  engine: Engine;
  /** tfjs-core on the single-threaded wasm backend, set up on first use. */
  tf(): Promise<Tf>;
  /** Records a result row (printed at once as progress, and again in the final table). */
  add(row: Row): void;
}

/** A benchmark suite: registered in bench/index.ts, run in order. */
export interface Suite {
  name: string;
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

/** Median ms per call of `fn` after warm-up. */
export function measure(fn: () => void, opts: MeasureOptions = {}): Measure {
  return measureInterleaved({ fn }, opts).fn;
}

/**
 * Median ms per call of each function, sampled in turns (a, b, a, b, …) so that a load spike on a shared
 * machine hits every contender alike and their ratio stays meaningful.
 */
export function measureInterleaved<K extends string>(fns: Record<K, () => void>, opts: MeasureOptions = {}) {
  const { warmupMs = 50, minMs = 300, minSamples = 5, sampleMs = 1 } = opts;
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
  return Object.fromEntries(names.map((n) => [n, { ms: median(times[n]), samples: times[n].length }])) as Record<
    K,
    Measure
  >;
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

/** Throws unless |got − want| ≤ atol + rtol·|want| everywhere: benches validate before they time. */
export function checkClose(got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number, label: string) {
  if (got.length !== want.length) throw new Error(`${label}: length ${got.length}, want ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]))) {
      throw new Error(`${label}: index ${i} is ${got[i]}, want ${want[i]}`);
    }
  }
}

let tfReady: Promise<Tf> | undefined;

/** tfjs-core with @tensorflow/tfjs-backend-wasm (one thread on Node, SIMD), loaded from node_modules. */
export function loadTfjsWasm(): Promise<Tf> {
  tfReady ??= (async () => {
    const req = createRequire(import.meta.url);
    const wasmDir = dirname(req.resolve("@tensorflow/tfjs-backend-wasm"));
    // tfjs is CommonJS: inside an ESM bundle its require() of Node builtins reaches esbuild's shim, which
    // forwards to a global `require` if there is one, and its Emscripten loader reads `__dirname`.
    // Both must exist before tfjs initialises (the wasm file itself is located by setWasmPaths).
    const g = globalThis as { require?: NodeJS.Require; __dirname?: string };
    g.require ??= req;
    g.__dirname ??= wasmDir;
    const tf = await import("@tensorflow/tfjs-core");
    // Training baselines need the gradient kernels; this import resolves only through the bundler.
    await import("@tensorflow/tfjs-core/dist/register_all_gradients");
    const { setWasmPaths } = await import("@tensorflow/tfjs-backend-wasm");
    setWasmPaths(join(wasmDir, "/"));
    tf.enableProdMode();
    if (!(await tf.setBackend("wasm"))) throw new Error("tfjs: the wasm backend failed to initialise");
    return tf;
  })();
  return tfReady;
}

/** The final table: one line per row, a column per baseline, then the speedups. */
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
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}
