// A decoder-only transformer in WASM memory: every parameter in ONE engine buffer laid out by
// transformerTensors(spec) (src/model/transformer-spec.ts), so the optimiser, the connection cost, a
// swap and a save are each passes over one block. The forward and backward passes live in
// src/model/transformer-pass.ts; this class only holds and moves the numbers.
import { elementPtr, type Buf, type Engine } from "../engine/engine.ts";
import type { Rng } from "../engine/random.ts";
import { checkTransformerSpec, transformerTensors, type TensorSlot, type TransformerLayout, type TransformerSpec } from "./transformer-spec.ts";

/** Standard deviation of GPT-2's initial weights and embeddings. */
export const INIT_STD = 0.02;

export class Transformer {
  readonly layout: TransformerLayout;
  private disposed = false;

  private constructor(
    readonly engine: Engine,
    readonly spec: TransformerSpec,
    /** Every parameter, f32, in layout order. */
    readonly params: Buf,
  ) {
    this.layout = transformerTensors(spec);
  }

  /**
   * GPT-2's initialisation (ours to choose; docs/transformer.md): every weight matrix and embedding
   * N(0, 0.02²), the two maps that write into the residual stream (`l.o.weight`, `l.mlp.out.weight`)
   * N(0, (0.02/√(2·nLayers))²) so the stream's variance does not grow with depth, every bias 0,
   * LayerNorm gains 1 and shifts 0. Draws run tensor by tensor in layout order, row-major.
   */
  static init(engine: Engine, spec: TransformerSpec, rng: Rng): Transformer {
    checkTransformerSpec(spec);
    const layout = transformerTensors(spec);
    const p = new Float32Array(layout.total);
    const residualStd = INIT_STD / Math.sqrt(2 * spec.nLayers);
    for (const t of layout.tensors) {
      const role = tensorRole(t.name);
      if (role === "gain") p.fill(1, t.offset, t.offset + t.size);
      else if (role === "weight") {
        const std = /\.(o|mlp\.out)\.weight$/.test(t.name) ? residualStd : INIT_STD;
        for (let i = 0; i < t.size; i++) p[t.offset + i] = Math.fround(std * rng.normal(engine));
      }
    }
    const m = new Transformer(engine, structuredClone(spec), engine.alloc(layout.total));
    engine.write(m.params, p);
    return m;
  }

  /**
   * A model from named tensors (a file, an importer). Every tensor of the layout must be present with
   * exactly its element count; the error names the first one that is missing or mis-sized. Names
   * outside the layout are refused too (nothing is silently dropped).
   */
  static fromTensors(engine: Engine, spec: TransformerSpec, tensors: Record<string, ArrayLike<number>>): Transformer {
    checkTransformerSpec(spec);
    const layout = transformerTensors(spec);
    for (const t of layout.tensors) {
      const v = Object.hasOwn(tensors, t.name) ? tensors[t.name] : undefined;
      if (v === undefined) throw new Error(`transformer: tensor ${t.name} [${t.shape.join(", ")}] is missing`);
      if (v.length !== t.size) {
        throw new Error(`transformer: tensor ${t.name} must hold ${t.size} numbers ([${t.shape.join(", ")}]), got ${v.length}`);
      }
    }
    const extra = Object.keys(tensors).find((name) => !layout.byName.has(name));
    if (extra !== undefined) throw new Error(`transformer: tensor ${extra} is not part of this model's layout`);
    const m = new Transformer(engine, structuredClone(spec), engine.alloc(layout.total));
    const p = engine.f32(m.params);
    for (const t of layout.tensors) p.set(tensors[t.name], t.offset);
    return m;
  }

  /** A model with the same spec and a copy of these parameters (e.g. before an experiment). */
  clone(): Transformer {
    const m = new Transformer(this.engine, structuredClone(this.spec), this.engine.alloc(this.layout.total));
    this.engine.f32(m.params).set(this.engine.f32(this.params));
    return m;
  }

  /** Copies of every tensor, by name, in layout order. */
  toTensors(): Record<string, Float32Array> {
    const p = this.engine.f32(this.params);
    const out: Record<string, Float32Array> = {};
    for (const t of this.layout.tensors) out[t.name] = p.slice(t.offset, t.offset + t.size);
    return out;
  }

  /** The slot of a named tensor; throws naming the tensor when the spec has none. */
  slot(name: string): TensorSlot {
    const t = this.layout.byName.get(name);
    if (!t) throw new Error(`transformer: this model has no tensor ${name}`);
    return t;
  }

  has(name: string): boolean {
    return this.layout.byName.has(name);
  }

  /** Byte offset of a named tensor in WASM memory, for kernel calls. */
  ptr(name: string): number {
    return elementPtr(this.params, this.slot(name).offset);
  }

  /** Byte offset of the same tensor inside another buffer laid out like the parameters (gradients, moments). */
  ptrIn(buf: Buf, name: string): number {
    if (buf.len < this.layout.total) throw new Error(`transformer: buffer of ${buf.len} is smaller than the layout (${this.layout.total})`);
    return elementPtr(buf, this.slot(name).offset);
  }

  /** A fresh view of one tensor (invalid after the next allocation that grows memory). */
  view(name: string): Float32Array {
    const t = this.slot(name);
    return this.engine.f32(this.params).subarray(t.offset, t.offset + t.size);
  }

  /** A copy of every parameter (hashing, comparisons). */
  readParams(): Float32Array {
    return this.engine.read(this.params);
  }

  get parameterCount(): number {
    return this.layout.total;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.free(this.params);
  }
}

/** What a tensor is, from its name: a LayerNorm gain (init 1), a shift or bias (0), or a weight. */
export function tensorRole(name: string): "gain" | "bias" | "weight" {
  if (name.endsWith(".g")) return "gain";
  if (name.endsWith(".b") || name.endsWith(".bias")) return "bias";
  return "weight";
}
