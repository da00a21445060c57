// The i32 "plan" the ablate kernels read (assembly/ablate-plan.ts): one block of pointers and sizes, so a
// kernel call passes one pointer. Its layout, its depth limit and the metric ids (types.ts METRICS) are
// defined here once for the host; the module exports its own as constants (PLAN_*, LAYER_*, METRIC_*,
// ABLATE_MAX_DEPTH) and test/circuits/ablate-abi.test.ts checks that the two agree.
import type { AnyBuf, Buf, Engine } from "../engine/engine.ts";
import type { MetricSetup } from "./metrics.ts";

export const PLAN = {
  depth: 0,
  n: 1,
  metric: 2,
  count: 3,
  dOut: 4,
  nS: 5,
  inS: 6,
  label: 7,
  yFull: 8,
  pFull: 9,
  pRest: 10,
  terms: 11,
  scratch: 12,
  listStart: 13,
  listIdx: 14,
  listVal: 15,
  layers: 16,
} as const;

/** Words per weight layer after PLAN.layers, in this order. */
export const LAYER_FIELDS = ["dIn", "dOut", "w", "b", "mask", "wm", "wt", "a", "aTilde", "z"] as const;
export const LAYER_WORDS = LAYER_FIELDS.length;

/** The kernels' limit on weight layers (their per-layer tables hold depth + 1 entries). */
export const MAX_DEPTH = 63;

/** Metric buffers, rows padded to pOut = pad4(d_out) with zeros. */
export interface PlanBuffers {
  inS: Buf<"i32">; // (pOut)
  labelSlot: Buf<"i32">; // (n)
  yFull: Buf; // (n × pOut)
  pFull: Buf<"f64">; // (n × pOut)
  pRest: Buf<"f64">; // (n)
  terms: Buf<"f64">; // (n)
}

/** Byte offsets and sizes of one weight layer (see the kernel file's layout comment). */
export type PlanLayer = Record<(typeof LAYER_FIELDS)[number], number>;

export interface PlanFields {
  depth: number;
  n: number;
  dOut: number;
  setup: MetricSetup;
  bufs: PlanBuffers;
  layers: PlanLayer[];
  scratch?: AnyBuf;
  lists?: { start: Buf<"i32">; idx: Buf<"i32">; val: Buf<"f64"> };
}

export function writePlan(e: Engine, f: PlanFields): Buf<"i32"> {
  if (f.depth > MAX_DEPTH) throw new RangeError(`circuit discovery supports at most ${MAX_DEPTH} weight layers`);
  const plan = e.alloc(PLAN.layers + LAYER_WORDS * f.layers.length, "i32");
  const w = e.i32(plan);
  w[PLAN.depth] = f.depth;
  w[PLAN.n] = f.n;
  w[PLAN.metric] = f.setup.kind;
  w[PLAN.count] = f.setup.count;
  w[PLAN.dOut] = f.dOut;
  w[PLAN.nS] = f.setup.nS;
  w[PLAN.inS] = f.bufs.inS.ptr;
  w[PLAN.label] = f.bufs.labelSlot.ptr;
  w[PLAN.yFull] = f.bufs.yFull.ptr;
  w[PLAN.pFull] = f.bufs.pFull.ptr;
  w[PLAN.pRest] = f.bufs.pRest.ptr;
  w[PLAN.terms] = f.bufs.terms.ptr;
  w[PLAN.scratch] = f.scratch?.ptr ?? 0;
  w[PLAN.listStart] = f.lists?.start.ptr ?? 0;
  w[PLAN.listIdx] = f.lists?.idx.ptr ?? 0;
  w[PLAN.listVal] = f.lists?.val.ptr ?? 0;
  f.layers.forEach((layer, m) => {
    LAYER_FIELDS.forEach((name, i) => (w[PLAN.layers + LAYER_WORDS * m + i] = layer[name]));
  });
  return plan;
}

export function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Rows of `src` (n × d) copied into rows of width pad4(d), zero padding. */
export function padRows(src: ArrayLike<number>, n: number, d: number): Float32Array {
  const p = pad4(d);
  const out = new Float32Array(n * p);
  for (let k = 0; k < n; k++) for (let c = 0; c < d; c++) out[k * p + c] = src[k * d + c];
  return out;
}

/** The metric buffers for n examples of d_out outputs, with the full model's outputs yFull (n × d_out). */
export function metricBuffers(e: Engine, setup: MetricSetup, yFull: ArrayLike<number>, n: number, dOut: number):
  PlanBuffers {
  const p = pad4(dOut);
  const inS = new Int32Array(p);
  inS.set(setup.inS);
  return {
    inS: e.from(inS, "i32"),
    labelSlot: e.from(setup.labelSlot, "i32"),
    yFull: e.from(padRows(yFull, n, dOut)),
    pFull: e.alloc(n * p, "f64"),
    pRest: e.alloc(n, "f64"),
    terms: e.alloc(n, "f64"),
  };
}

/** Points the plan at its scratch block (sized by the kernel from the rest of the plan). */
export function setPlanScratch(e: Engine, plan: Buf<"i32">, scratch: AnyBuf): void {
  e.i32(plan)[PLAN.scratch] = scratch.ptr;
}
