// The BIMT connection cost of a transformer (docs/transformer.md, "BIMT for transformers"), as the
// reference's get_cc: Σ over linear maps of mean(|W|·(A·dist + l0)) + mean(|b|)·l0, with the maps'
// coordinates of src/model/transformer-coords.ts. Ours: the token and position embeddings, lookups
// with no coordinates, add l0·mean|E| (as the MLP's embedding does); LayerNorm gains and shifts are
// not penalised (the reference skips them). l1 (A = 0) makes every term plain L1 scaled by l0.
// Everything runs in the cost kernels (assembly/cost.ts) over precomputed coefficient blocks: qkv is
// three fold blocks that share one (nHeads·dHead × dModel) coefficient matrix, and maps of the same
// shape in different layers share theirs.
import { elementPtr, type Buf, type Engine } from "../engine/engine.ts";
import { blockDistances, transformerMaps } from "../model/transformer-coords.ts";
import type { Transformer } from "../model/transformer.ts";
import type { SeqTrainSettings } from "../tasks/sequence-types.ts";
import type { ModeParts } from "./modes.ts";

export interface TransformerCost {
  /** Adds λ·∂cost/∂θ into grads (laid out like the parameters); returns the cost. */
  add(grads: Buf, lambda: number): number;
  /** The cost alone. */
  value(): number;
  dispose(): void;
}

/** One fold block of a map: `n` weights from element `offset`, coefficients A·dist + l0 shaped like it. */
interface Block {
  offset: number;
  n: number;
  coef: Buf;
  /** 1 / (entries of the whole map): the mean form. */
  scale: number;
}

/** A tensor penalised by l0·mean|x|: a bias or an embedding. */
interface Flat {
  offset: number;
  n: number;
}

export function createTransformerCost(engine: Engine, model: Transformer, settings: SeqTrainSettings,
  parts: ModeParts): TransformerCost {
  const spec = model.spec;
  const A = parts.lossA;
  const l0 = settings.l0;
  const coefs = new Map<string, Buf>();
  const coefFor = (rows: number, cols: number): Buf => {
    const key = `${rows}x${cols}`;
    let b = coefs.get(key);
    if (!b) {
      const d = blockDistances(rows, cols);
      for (let i = 0; i < d.length; i++) d[i] = Math.fround(A * d[i] + l0);
      coefs.set(key, (b = engine.from(d)));
    }
    return b;
  };
  const blocks: Block[] = [];
  const flats: Flat[] = [];
  const offset = (name: string) => model.slot(name).offset;
  for (const m of transformerMaps(spec)) {
    const slots = m.rows / m.outFold;
    const coef = coefFor(slots, m.cols);
    for (let f = 0; f < m.outFold; f++) {
      blocks.push({ offset: offset(m.weight) + f * slots * m.cols, n: slots * m.cols, coef, scale: 1 / (m.rows * m.cols) });
    }
    if (m.bias) flats.push({ offset: offset(m.bias), n: m.rows });
  }
  for (const name of ["tok", "pos"]) if (model.has(name)) flats.push({ offset: offset(name), n: model.slot(name).size });

  const { k } = engine;
  const l0f = Math.fround(l0);
  const evaluate = (grads: Buf | undefined, lambda: number): number => {
    if (grads && grads.len < model.layout.total) {
      throw new Error(`transformer cost: gradient buffer of ${grads.len} is smaller than the parameters (${model.layout.total})`);
    }
    // No closures here: this runs every step and must not allocate.
    const grad = grads !== undefined && lambda !== 0;
    let cost = 0;
    for (const b of blocks) {
      const g = grad ? elementPtr(grads, b.offset) : 0;
      cost += b.scale * k.l1Cost(elementPtr(model.params, b.offset), b.coef.ptr, g, b.n, lambda * b.scale);
    }
    for (const f of flats) {
      const s = 1 / f.n;
      const g = grad ? elementPtr(grads, f.offset) : 0;
      cost += s * k.l1CostConst(elementPtr(model.params, f.offset), l0f, g, f.n, lambda * s);
    }
    return cost;
  };
  let disposed = false;
  return {
    add: (grads, lambda) => evaluate(grads, lambda),
    value: () => evaluate(undefined, 0),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      engine.free(...coefs.values());
    },
  };
}

/**
 * Mean wire length Σ|w|·dist / Σ|w| over every map with coordinates (raw distances, f64 sums): how
 * far, on average, a unit of weight travels. BIMT should shorten it against l1.
 */
export function transformerWireLength(model: Transformer): number {
  const p = model.engine.f32(model.params);
  let num = 0;
  let den = 0;
  for (const m of transformerMaps(model.spec)) {
    const slots = m.rows / m.outFold;
    const d = blockDistances(slots, m.cols);
    const base = model.slot(m.weight).offset;
    for (let f = 0; f < m.outFold; f++) {
      for (let i = 0; i < d.length; i++) {
        const w = Math.abs(p[base + f * d.length + i]);
        num += w * d[i];
        den += w;
      }
    }
  }
  return den > 0 ? num / den : 0;
}
