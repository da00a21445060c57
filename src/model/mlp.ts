// The BIMT MLP in WASM memory: every parameter in one block (W0, b0, W1, b1, …, then the embedding)
// with a table of offsets, so the optimiser, the cost and a save are each one pass over one buffer.
import { elementPtr, type Buf, type Engine } from "../engine/engine.ts";
import type { Rng } from "../engine/random.ts";
import { MODEL_FORMAT, MODEL_VERSION, slotCount, type ModelSnapshot, type ModelSpec } from "./spec.ts";

/** Element offsets of each tensor inside the parameter block. */
export interface ParamLayout {
  weight: number[]; // W_l (out × in), row-major
  bias: number[]; // b_l (out)
  embedding: number; // −1 without an embedding
  total: number;
}

export function paramLayout(spec: ModelSpec): ParamLayout {
  const weight: number[] = [];
  const bias: number[] = [];
  let at = 0;
  for (let l = 0; l + 1 < spec.shape.length; l++) {
    weight.push(at);
    at += spec.shape[l] * spec.shape[l + 1];
    bias.push(at);
    at += spec.shape[l + 1];
  }
  let embedding = -1;
  if (spec.embed) {
    embedding = at;
    at += spec.embed.tokens * spec.embed.dim;
  }
  return { weight, bias, embedding, total: at };
}

export function checkSpec(spec: ModelSpec): void {
  const { shape, inFold } = spec;
  if (!Array.isArray(shape) || shape.length < 2 || !shape.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new Error(`model: shape must list at least two layer sizes ≥ 1, got ${JSON.stringify(shape)}`);
  }
  if (!Number.isInteger(inFold) || inFold < 1 || shape[0] % inFold !== 0) {
    throw new Error(`model: inFold ${inFold} must divide the input size ${shape[0]}`);
  }
  if (spec.embed && spec.embed.dim * inFold !== shape[0]) {
    throw new Error(`model: embedding dim ${spec.embed.dim} × inFold ${inFold} must equal the input size ${shape[0]}`);
  }
}

export class Mlp {
  readonly layout: ParamLayout;
  /** Network input slot s (in every fold) reads original feature inPerm[s]. */
  readonly inPerm: Int32Array;
  /** Output slot p holds original output outPerm[p]. */
  readonly outPerm: Int32Array;
  private disposed = false;

  private constructor(
    readonly engine: Engine,
    readonly spec: ModelSpec,
    readonly params: Buf,
  ) {
    this.layout = paramLayout(spec);
    this.inPerm = identity(slotCount(spec, 0));
    this.outPerm = identity(spec.shape[spec.shape.length - 1]);
  }

  get depth(): number {
    return this.spec.shape.length - 1;
  }

  /** PyTorch's default Linear init (U(±1/√fan_in) for W and b); embedding N(0, 1). */
  static init(engine: Engine, spec: ModelSpec, rng: Rng): Mlp {
    checkSpec(spec);
    const m = new Mlp(engine, spec, engine.alloc(paramLayout(spec).total));
    const p = new Float32Array(m.layout.total);
    for (let l = 0; l < m.depth; l++) {
      const fanIn = spec.shape[l];
      const bound = 1 / Math.sqrt(fanIn);
      const nW = fanIn * spec.shape[l + 1];
      for (let i = 0; i < nW; i++) p[m.layout.weight[l] + i] = rng.range(-bound, bound);
      for (let i = 0; i < spec.shape[l + 1]; i++) p[m.layout.bias[l] + i] = rng.range(-bound, bound);
    }
    if (spec.embed) {
      const n = spec.embed.tokens * spec.embed.dim;
      for (let i = 0; i < n; i++) p[m.layout.embedding + i] = rng.normal(engine);
    }
    engine.write(m.params, p);
    return m;
  }

  static fromSnapshot(engine: Engine, s: ModelSnapshot): Mlp {
    checkSpec(s.spec);
    const m = new Mlp(engine, structuredClone(s.spec), engine.alloc(paramLayout(s.spec).total));
    const p = engine.f32(m.params);
    s.layers.forEach((layer, l) => {
      p.set(layer.weight, m.layout.weight[l]);
      p.set(layer.bias, m.layout.bias[l]);
    });
    if (s.embedding) p.set(s.embedding, m.layout.embedding);
    m.inPerm.set(s.inPerm);
    m.outPerm.set(s.outPerm);
    return m;
  }

  toSnapshot(meta?: Record<string, unknown>): ModelSnapshot {
    const p = this.engine.f32(this.params);
    const { shape } = this.spec;
    const layers = [];
    for (let l = 0; l < this.depth; l++) {
      const w = this.layout.weight[l];
      const b = this.layout.bias[l];
      layers.push({
        weight: Array.from(p.subarray(w, w + shape[l] * shape[l + 1])),
        bias: Array.from(p.subarray(b, b + shape[l + 1])),
      });
    }
    const snap: ModelSnapshot = {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      spec: structuredClone(this.spec),
      layers,
      inPerm: Array.from(this.inPerm),
      outPerm: Array.from(this.outPerm),
    };
    if (this.spec.embed) {
      const e = this.layout.embedding;
      snap.embedding = Array.from(p.subarray(e, e + this.spec.embed.tokens * this.spec.embed.dim));
    }
    if (meta) snap.meta = meta;
    return snap;
  }

  /** Byte offset of W_l / b_l / the embedding, for kernel calls. */
  weightPtr(l: number): number {
    return elementPtr(this.params, this.layout.weight[l]);
  }
  biasPtr(l: number): number {
    return elementPtr(this.params, this.layout.bias[l]);
  }
  embeddingPtr(): number {
    return elementPtr(this.params, this.layout.embedding);
  }

  /** A copy of every parameter (for hashing and comparisons). */
  readParams(): Float32Array {
    return this.engine.read(this.params);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.free(this.params);
  }
}

export function identity(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}
