// What a trained transformer is worth on a split: accuracy of the next token (classification) or the
// MSE of the chosen outputs (regression), over the positions the task's mask counts.
import type { Buf, Engine } from "../engine/engine.ts";
import type { Transformer } from "../model/transformer.ts";
import { TransformerPass } from "../model/transformer-pass.ts";
import type { SeqDataset, SeqSplit } from "../tasks/sequence-types.ts";

/** Rows (positions) per evaluation chunk: bounds the workspace whatever the context length. */
const EVAL_ROWS = 4096;

/** A split uploaded to WASM memory in the layout the pass and the loss kernels read. */
export interface SeqUpload {
  n: number;
  /** Token ids (n·ctx) i32, or vectors (n·ctx, inDim) f32. */
  x: Buf<"i32"> | Buf;
  /** Classification: next-token labels (n·ctx) i32 with −1 where the mask is 0. */
  labels: Buf<"i32"> | null;
  /** Regression: targets (n·ctx, outDim) f32, and the mask (n·ctx) i32. */
  targets: Buf | null;
  mask: Buf<"i32"> | null;
  /** Counted positions. */
  counted: number;
  /** 0 … n−1 (i32): gatherRows reads consecutive sequences through it. */
  identity: Buf<"i32">;
}

/** Copies a split into WASM memory (once per split); free with freeUpload. */
export function uploadSplit(engine: Engine, data: SeqDataset, split: SeqSplit): SeqUpload {
  checkSplit(data, split);
  const rows = split.n * data.ctx;
  let counted = 0;
  for (let i = 0; i < rows; i++) if (split.mask[i]) counted++;
  const x = split.x instanceof Int32Array ? engine.from(split.x, "i32") : engine.from(split.x);
  const identity = engine.from(Int32Array.from({ length: split.n }, (_, i) => i), "i32");
  if (data.kind === "classification") {
    const y = split.y as Int32Array;
    const labels = Int32Array.from({ length: rows }, (_, i) => (split.mask[i] ? y[i] : -1));
    return { n: split.n, x, labels: engine.from(labels, "i32"), targets: null, mask: null, counted, identity };
  }
  return { n: split.n, x, labels: null, targets: engine.from(split.y), mask: engine.from(split.mask, "i32"), counted, identity };
}

export function freeUpload(engine: Engine, u: SeqUpload): void {
  engine.free(u.x, u.labels ?? undefined, u.targets ?? undefined, u.mask ?? undefined, u.identity);
}

/** Measures a model on uploaded splits with one workspace, reused across calls (the trainer's periodic test). */
export class SeqEvaluator {
  private readonly pass: TransformerPass;
  private disposed = false;

  constructor(
    readonly model: Transformer,
    readonly data: SeqDataset,
    maxSequences: number,
  ) {
    const chunk = Math.max(1, Math.min(maxSequences, Math.floor(EVAL_ROWS / data.ctx)));
    this.pass = new TransformerPass(model, chunk);
  }

  get metric(): "accuracy" | "mse" {
    return this.data.kind === "classification" ? "accuracy" : "mse";
  }

  /** Accuracy or MSE over the counted positions of an uploaded split; NaN when none counts. */
  evaluate(u: SeqUpload): number {
    if (u.counted === 0) return NaN;
    const { k } = this.model.engine;
    const pass = this.pass;
    const ctx = this.data.ctx;
    const V = this.model.spec.outDim;
    const inWidth = this.model.spec.inDim ?? 1;
    const cols = this.data.lossOutputs ?? V;
    let correct = 0;
    let sq = 0;
    for (let start = 0; start < u.n; start += pass.batch) {
      const n = Math.min(pass.batch, u.n - start);
      const rows = n * ctx;
      k.gatherRows(pass.tokens?.ptr ?? pass.inputs!.ptr, u.x.ptr, u.identity.ptr + 4 * start, n, ctx * inWidth);
      const logits = pass.forward(n);
      if (u.labels) correct += k.countCorrect(logits.ptr, u.labels.ptr + 4 * start * ctx, rows, V);
      else {
        const at = start * ctx;
        const mask = u.mask!.ptr + 4 * at;
        const count = countMask(this.model.engine, u.mask!, at, rows);
        if (count > 0) sq += k.maskedMse(logits.ptr, u.targets!.ptr + 4 * at * V, mask, 0, rows, V, cols, 1) * count * cols;
      }
    }
    return u.labels ? correct / u.counted : sq / (u.counted * cols);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pass.dispose();
  }
}

/** Accuracy or MSE of a model on one split (uploads it, measures, frees). */
export function evaluateSeq(model: Transformer, split: SeqSplit, data: SeqDataset): { value: number; metric: "accuracy" | "mse" } {
  const e = model.engine;
  const u = uploadSplit(e, data, split);
  const ev = new SeqEvaluator(model, data, split.n);
  try {
    return { value: ev.evaluate(u), metric: ev.metric };
  } finally {
    ev.dispose();
    freeUpload(e, u);
  }
}

function countMask(e: Engine, mask: Buf<"i32">, at: number, rows: number): number {
  const m = e.i32(mask);
  let c = 0;
  for (let i = at; i < at + rows; i++) if (m[i] !== 0) c++;
  return c;
}

/** Throws naming the field when a split does not fit its dataset's shape. */
export function checkSplit(data: SeqDataset, split: SeqSplit): void {
  const rows = split.n * data.ctx;
  const inWidth = data.inDim ?? 1;
  const yWidth = data.kind === "classification" ? 1 : data.outDim;
  if (split.x.length !== rows * inWidth) throw new Error(`sequence data: x holds ${split.x.length} values, expected n ${split.n} × ctx ${data.ctx} × ${inWidth}`);
  if (split.y.length !== rows * yWidth) throw new Error(`sequence data: y holds ${split.y.length} values, expected n ${split.n} × ctx ${data.ctx} × ${yWidth}`);
  if (split.mask.length !== rows) throw new Error(`sequence data: mask holds ${split.mask.length} values, expected n ${split.n} × ctx ${data.ctx}`);
}
