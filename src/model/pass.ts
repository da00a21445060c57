// Forward passes of an Mlp over batches of a dataset held in WASM memory. Buffers are sized once
// for `rows` examples, so the hot loop never allocates.
import type { Buf, Engine } from "../engine/engine.ts";
import type { Mlp } from "./mlp.ts";

/** A dataset's inputs in WASM memory, in original feature order: n × width f32, or n × inFold i32 token ids. */
export interface InputBuf {
  buf: Buf | Buf<"i32">;
  n: number;
  width: number;
  tokens: boolean;
}

export function uploadInputs(engine: Engine, x: Float32Array | Int32Array, width: number): InputBuf {
  const tokens = x instanceof Int32Array;
  return { buf: tokens ? engine.from(x, "i32") : engine.from(x), n: x.length / width, width, tokens };
}

export class Pass {
  readonly engine: Engine;
  /** Network input in slot order (rows × d_in). */
  readonly input: Buf;
  /** Pre-activations of each weight layer (rows × out); the last one is the network output. */
  readonly z: Buf[];
  /** SiLU activations after each hidden weight layer (rows × out). */
  readonly act: Buf[];
  private readonly stage: Buf | Buf<"i32">; // gathered rows: features, or token ids
  private readonly idx: Buf<"i32">;
  private readonly perm: Buf<"i32">;

  constructor(
    readonly model: Mlp,
    readonly rows: number,
  ) {
    const e = (this.engine = model.engine);
    const { shape, inFold } = model.spec;
    this.input = e.alloc(rows * shape[0]);
    this.z = [];
    this.act = [];
    for (let l = 0; l < model.depth; l++) {
      this.z.push(e.alloc(rows * shape[l + 1]));
      if (l + 1 < model.depth) this.act.push(e.alloc(rows * shape[l + 1]));
    }
    this.stage = model.spec.embed ? e.alloc(rows * inFold, "i32") : e.alloc(rows * shape[0]);
    this.idx = e.alloc(rows, "i32");
    this.perm = e.alloc(model.inPerm.length, "i32");
  }

  /** Activation feeding weight layer l (the input for l = 0). */
  inputOf(l: number): Buf {
    return l === 0 ? this.input : this.act[l - 1];
  }

  /**
   * Loads `count` examples into the input: rows `order[start..start+count)` of `data`, or rows
   * start..start+count when `order` is null. Applies inPerm (or looks up the embedding).
   */
  load(data: InputBuf, order: Int32Array | null, start: number, count: number): void {
    if (count > this.rows) throw new RangeError(`pass: ${count} rows exceed the buffer of ${this.rows}`);
    const { k } = this.engine;
    const m = this.model;
    const idx = this.engine.i32(this.idx);
    for (let r = 0; r < count; r++) idx[r] = order ? order[start + r] : start + r;
    k.gatherRows(this.stage.ptr, data.buf.ptr, this.idx.ptr, count, data.width);
    if (m.spec.embed) {
      k.embedGather(this.input.ptr, m.embeddingPtr(), this.stage.ptr, count, m.spec.inFold, m.spec.embed.dim);
    } else {
      this.engine.i32(this.perm).set(m.inPerm);
      k.gatherCols(this.input.ptr, this.stage.ptr, count, data.width, this.perm.ptr, m.spec.inFold);
    }
  }

  /** Byte offset of the loaded rows' token ids (count × inFold), for the embedding gradient. */
  tokenRows(): number {
    return this.stage.ptr;
  }

  /** Runs the network on the loaded rows; returns the output buffer (rows × d_out, slot order). */
  forward(count: number): Buf {
    const { k } = this.engine;
    const m = this.model;
    const { shape } = m.spec;
    for (let l = 0; l < m.depth; l++) {
      const nIn = shape[l];
      const nOut = shape[l + 1];
      // z (count × out) = a (count × in) · Wᵀ, then + b
      k.gemm(0, 1, count, nOut, nIn, this.inputOf(l).ptr, nIn, m.weightPtr(l), nIn, this.z[l].ptr, nOut, 0);
      k.addBias(this.z[l].ptr, m.biasPtr(l), count, nOut);
      if (l + 1 < m.depth) k.siluForward(this.z[l].ptr, this.act[l].ptr, count * nOut);
    }
    return this.z[m.depth - 1];
  }

  /** The outputs of the last forward pass in original output order (a copy). */
  readOutputs(count: number): Float32Array {
    const dOut = this.model.spec.shape[this.model.depth];
    const z = this.engine.f32(this.z[this.model.depth - 1]);
    const out = new Float32Array(count * dOut);
    const perm = this.model.outPerm;
    for (let r = 0; r < count; r++) {
      for (let p = 0; p < dOut; p++) out[r * dOut + perm[p]] = z[r * dOut + p];
    }
    return out;
  }

  dispose(): void {
    this.engine.free(this.input, ...this.z, ...this.act, this.stage, this.idx, this.perm);
  }
}

/** Runs a model on every row of `x` (original feature order), in chunks; outputs in original order. */
export function predict(model: Mlp, x: Float32Array | Int32Array, width: number, chunk = 512): Float32Array {
  const data = uploadInputs(model.engine, x, width);
  const dOut = model.spec.shape[model.depth];
  const pass = new Pass(model, Math.min(chunk, Math.max(1, data.n)));
  const out = new Float32Array(data.n * dOut);
  try {
    for (let s = 0; s < data.n; s += pass.rows) {
      const count = Math.min(pass.rows, data.n - s);
      pass.load(data, null, s, count);
      pass.forward(count);
      out.set(pass.readOutputs(count), s * dOut);
    }
  } finally {
    pass.dispose();
    model.engine.free(data.buf);
  }
  return out;
}
