// Ablated sender values ã (docs/discovery.md "The graph of an MLP"), computed once from the full,
// unpruned model and then fixed for the whole discovery run:
//   zero      ã = 0;
//   mean      ã_i = the mean of sender i over the clean examples (the full model's values);
//   resample  ã_i(k) = sender i's value on corrupted example k, the partner of clean example k.
// Sender values are the inputs of each weight layer: the network input in slot order (inPerm
// applied, or the looked-up embeddings: one node per embedding dimension per token slot) and the
// SiLU outputs of the hidden layers.
import type { Buf, Engine } from "../engine/engine.ts";
import type { Mlp } from "../model/mlp.ts";
import { Pass, uploadInputs } from "../model/pass.ts";
import { ABLATIONS, type Ablation, type DiscoveryData } from "./types.ts";

export function checkAblation(ablation: unknown): Ablation {
  if (typeof ablation !== "string" || !ABLATIONS.includes(ablation as Ablation)) {
    throw new Error(`unknown ablation "${String(ablation)}"; use ${ABLATIONS.join(", ")}`);
  }
  return ablation as Ablation;
}

/** Checks the ablation, then the data against the model (sizes, types, corrupted inputs for resample). */
export function checkData(model: Mlp, data: DiscoveryData, ablation: Ablation): void {
  checkAblation(ablation);
  checkDiscoveryData(model, data, ablation);
}

/** Checks the data a discovery run gets against the model and the ablation. */
function checkDiscoveryData(model: Mlp, data: DiscoveryData, ablation: Ablation): void {
  const width = inputWidth(model);
  const kind = model.spec.embed ? Int32Array : Float32Array;
  if (!Number.isInteger(data.n) || data.n < 1) {
    throw new RangeError(`discovery data: need at least one example, got n = ${data.n}`);
  }
  if (!(data.clean instanceof kind) || data.clean.length !== data.n * width) {
    throw new RangeError(`discovery data: clean inputs must be a ${kind.name} of ${data.n}×${width}`);
  }
  if (ablation === "resample") {
    const c = data.corrupted;
    if (!c) throw new Error("ablation resample needs paired corrupted inputs");
    if (!(c instanceof kind) || c.length !== data.n * width) {
      throw new RangeError(`discovery data: corrupted inputs must be a ${kind.name} of ${data.n}×${width} like clean`);
    }
  }
}

/** Width of one example's input row: features, or token ids for embedding models. */
export function inputWidth(model: Mlp): number {
  return model.spec.embed ? model.spec.inFold : model.spec.shape[0];
}

/** The full model on all n rows of x at once; the Pass keeps every layer's values. */
export function fullRun(model: Mlp, x: Float32Array | Int32Array, n: number): Pass {
  const e = model.engine;
  const input = uploadInputs(e, x, inputWidth(model));
  const pass = new Pass(model, n);
  try {
    pass.load(input, null, 0, n);
    pass.forward(n);
  } catch (err) {
    pass.dispose();
    throw err;
  } finally {
    e.free(input.buf);
  }
  return pass;
}

/**
 * ã of every weight layer's senders, n × d_l each, in fresh buffers. `clean` and `corrupted` are
 * full runs over the same n examples (corrupted only for resample).
 */
export function ablatedSenders(model: Mlp, ablation: Ablation, clean: Pass, corrupted?: Pass): Buf[] {
  const e = model.engine;
  const { shape } = model.spec;
  const n = clean.rows;
  const out: Buf[] = [];
  for (let l = 0; l < model.depth; l++) {
    const d = shape[l];
    const b = e.alloc(n * d);
    out.push(b);
    if (ablation === "resample") {
      if (!corrupted) throw new Error("ablation resample needs paired corrupted inputs");
      e.f32(b).set(e.f32(corrupted.inputOf(l)));
    } else if (ablation === "mean") {
      broadcastMean(e, clean.inputOf(l), b, n, d);
    }
  }
  return out;
}

/** dst (n × d): every row = the column means of src (n × d). */
function broadcastMean(e: Engine, src: Buf, dst: Buf, n: number, d: number): void {
  const sums = e.alloc(d);
  e.k.colSum(sums.ptr, src.ptr, n, d, false);
  const mean = e.read(sums).map((s) => s / n);
  e.free(sums);
  const v = e.f32(dst);
  for (let k = 0; k < n; k++) v.set(mean, k * d);
}

/** ã per weight layer as plain data (n × d_l, slot order): for tests, pictures and other methods. */
export function ablatedValues(model: Mlp, data: DiscoveryData, ablation: Ablation): Float32Array[] {
  checkData(model, data, ablation);
  const e = model.engine;
  const clean = fullRun(model, data.clean, data.n);
  const corrupted = ablation === "resample"
    ? fullRun(model, data.corrupted as Float32Array | Int32Array, data.n)
    : undefined;
  try {
    const bufs = ablatedSenders(model, ablation, clean, corrupted);
    const values = bufs.map((b) => e.read(b));
    e.free(...bufs);
    return values;
  } finally {
    clean.dispose();
    corrupted?.dispose();
  }
}
