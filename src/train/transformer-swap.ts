// BIMT's relocate step for transformers (docs/transformer.md, "BIMT for transformers"), after the
// reference's BioTransformer: three kinds of swap, none of which changes the model's function.
//   - an MLP's hidden neurons (rows of mlp.in and its bias, columns of mlp.out);
//   - the residual stream: one permutation applied to every map that reads it (columns of qkv,
//     mlp.in, unembed) or writes it (rows of in, o, mlp.out, their biases) and to what rides along
//     (embedding columns, LayerNorm gains and shifts), in every block at once;
//   - attention: whole heads trade places, then neurons move within their head; slot p of a head
//     carries its q, k and v rows together (the qkv map is folded in 3) and column p of o.
// Every candidate is scored by the cost change Δ of the swap kernel (assembly/swap.ts) summed over
// the fold blocks of every map that touches the layer; a whole-head swap is dHead disjoint slot swaps,
// so its Δ is the sum of theirs. Per layer: importance = Σ|incoming| + Σ|outgoing| (biases not
// counted), the top_k positions fixed before any swap, each moved to its lowest-cost candidate (ties:
// lowest position). Layers are visited as the reference does: from the last block's MLP back to the
// first block's attention, then the residual stream.
import { elementPtr, type Buf, type Engine } from "../engine/engine.ts";
import { blockDistances, residualPassengers, transformerMaps, transformerNeuronLayers } from "../model/transformer-coords.ts";
import type { Transformer } from "../model/transformer.ts";
import type { SeqTrainSettings } from "../tasks/sequence-types.ts";
import type { ModeParts } from "./modes.ts";

export interface TransformerSwapper {
  /** Swaps made; permutes the parameters (and Adam's moments when given) in place. */
  relocate(adam?: { m: Buf; v: Buf }): number;
  dispose(): void;
}

/** A fold block that touches the layer: its positions are the block's rows (incoming) or columns (outgoing). */
interface ScoreBlock {
  offset: number;
  rows: number;
  cols: number;
  dist: Buf;
  /** swapA / (entries of the whole map): the mean form's weight of this block's Δ. */
  s: number;
}

/** Rows j, k of a (·, width) tensor at offset, or columns j, k of a (height, width) one. */
type MoveOp = { rows: true; offset: number; width: number } | { rows: false; offset: number; height: number; width: number };

export interface SwapLayer {
  id: string;
  n: number;
  groups: number;
  incoming: ScoreBlock[];
  outgoing: ScoreBlock[];
  moves: MoveOp[];
}

export function createTransformerSwapper(engine: Engine, model: Transformer, settings: SeqTrainSettings,
  parts: ModeParts): TransformerSwapper & TransformerSwapScoring {
  return new Swapper(engine, model, settings.topK, parts.swapA);
}

/** What the tests compare with a full recomputation of the cost. */
export interface TransformerSwapScoring {
  readonly layers: SwapLayer[];
  /** Δ cost of swapping position j of the layer with each position (a copy, length n). */
  positionDeltas(id: string, j: number): Float64Array;
  /** Δ cost of swapping head h with each head (a copy, length groups). */
  headDeltas(id: string, h: number): Float64Array;
}

class Swapper implements TransformerSwapper, TransformerSwapScoring {
  readonly layers: SwapLayer[];
  private readonly dists = new Map<string, Buf>();
  private readonly scores: Buf;
  private readonly imp: Buf;
  private readonly acc: Float64Array;
  private readonly accImp: Float64Array;
  private readonly slotScores: Float64Array;
  private disposed = false;

  constructor(
    private readonly engine: Engine,
    private readonly model: Transformer,
    private readonly topK: number,
    swapA: number,
  ) {
    this.layers = swapLayers(model, swapA, (r, c) => this.dist(r, c));
    const widest = Math.max(1, ...this.layers.map((l) => l.n));
    this.scores = engine.alloc(widest);
    this.imp = engine.alloc(widest);
    this.acc = new Float64Array(widest);
    this.accImp = new Float64Array(widest);
    this.slotScores = new Float64Array(widest);
  }

  relocate(adam?: { m: Buf; v: Buf }): number {
    const bufs = [this.model.params, ...(adam ? [adam.m, adam.v] : [])];
    for (const b of bufs) {
      if (b.len < this.model.layout.total) throw new Error(`transformer swap: buffer of ${b.len} is smaller than the parameters`);
    }
    let swaps = 0;
    for (const layer of this.layers) swaps += this.relocateLayer(layer, bufs);
    return swaps;
  }

  positionDeltas(id: string, j: number): Float64Array {
    this.score(this.layer(id), j);
    return this.acc.slice(0, this.layer(id).n);
  }

  headDeltas(id: string, h: number): Float64Array {
    const layer = this.layer(id);
    const out = new Float64Array(layer.groups);
    this.scoreHead(layer, h, out);
    return out;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.free(this.scores, this.imp, ...this.dists.values());
  }

  private relocateLayer(layer: SwapLayer, bufs: Buf[]): number {
    let swaps = 0;
    const size = layer.n / layer.groups;
    if (layer.groups > 1) {
      const heads = new Float64Array(layer.groups);
      this.importance(layer);
      for (let h = 0; h < layer.groups; h++) {
        let s = 0;
        for (let i = 0; i < size; i++) s += this.accImp[h * size + i];
        heads[h] = s / size;
      }
      for (const h of topPositions(heads, 0, layer.groups, this.topK)) {
        const delta = new Float64Array(layer.groups);
        this.scoreHead(layer, h, delta);
        const best = argmin(delta, 0, layer.groups);
        if (best !== h) {
          for (let i = 0; i < size; i++) this.move(layer, bufs, h * size + i, best * size + i);
          swaps++;
        }
      }
    }
    this.importance(layer);
    const imp = this.accImp.slice(0, layer.n);
    for (let g = 0; g < layer.groups; g++) {
      const lo = g * size;
      for (const j of topPositions(imp, lo, lo + size, this.topK)) {
        this.score(layer, j);
        const best = argmin(this.acc, lo, lo + size);
        if (best !== j) {
          this.move(layer, bufs, j, best);
          swaps++;
        }
      }
    }
    return swaps;
  }

  /** acc[k] = Δ cost of swapping positions j and k (acc[j] = 0), summed over the layer's blocks. */
  private score(layer: SwapLayer, j: number): void {
    const { k } = this.engine;
    const w = (at: number) => elementPtr(this.model.params, at);
    const out = this.scores.ptr;
    const n = layer.n;
    this.acc.fill(0, 0, n);
    const add = () => {
      const s = this.engine.f32(this.scores);
      for (let c = 0; c < n; c++) this.acc[c] += s[c];
    };
    for (const b of layer.incoming) {
      k.swapScores(w(b.offset), b.dist.ptr, b.cols, 0, 0, 0, n, 1, b.s, 0, j, out);
      add();
    }
    for (const b of layer.outgoing) {
      k.swapScores(0, 0, 0, w(b.offset), b.dist.ptr, b.rows, n, 1, 0, b.s, j, out);
      add();
    }
  }

  /** out[c] = Δ of swapping head h with head c: the sum of its slots' disjoint swaps. */
  private scoreHead(layer: SwapLayer, h: number, out: Float64Array): void {
    const size = layer.n / layer.groups;
    out.fill(0);
    for (let i = 0; i < size; i++) {
      this.score(layer, h * size + i);
      for (let c = 0; c < layer.groups; c++) out[c] += this.acc[c * size + i];
    }
  }

  /** accImp[j] = Σ|incoming weights of j| + Σ|outgoing weights of j|. */
  private importance(layer: SwapLayer): void {
    const { k } = this.engine;
    const w = (at: number) => elementPtr(this.model.params, at);
    const n = layer.n;
    this.accImp.fill(0, 0, n);
    const add = () => {
      const s = this.engine.f32(this.imp);
      for (let c = 0; c < n; c++) this.accImp[c] += s[c];
    };
    for (const b of layer.incoming) {
      k.importance(w(b.offset), b.cols, 0, 0, n, 1, this.imp.ptr);
      add();
    }
    for (const b of layer.outgoing) {
      k.importance(0, 0, w(b.offset), b.rows, n, 1, this.imp.ptr);
      add();
    }
  }

  private move(layer: SwapLayer, bufs: Buf[], j: number, k: number): void {
    for (const b of bufs) applyMoves(this.engine.f32(b), layer.moves, j, k);
  }

  private layer(id: string): SwapLayer {
    const l = this.layers.find((x) => x.id === id);
    if (!l) throw new Error(`transformer swap: no swap layer ${id} (layers: ${this.layers.map((x) => x.id).join(", ")})`);
    return l;
  }

  private dist(rows: number, cols: number): Buf {
    const key = `${rows}x${cols}`;
    let b = this.dists.get(key);
    if (!b) this.dists.set(key, (b = this.engine.from(blockDistances(rows, cols))));
    return b;
  }
}

/**
 * The swap layers in relocate order (last block's MLP, its attention, …, first block's attention,
 * then the residual stream), with the blocks that score them and the moves that swap them.
 */
export function swapLayers(model: Transformer, swapA: number, dist: (rows: number, cols: number) => Buf): SwapLayer[] {
  const spec = model.spec;
  const off = (name: string) => model.slot(name).offset;
  const maps = transformerMaps(spec);
  const layers = new Map(transformerNeuronLayers(spec).map((n) => [n.id, {
    id: n.id, n: n.size, groups: n.groups, incoming: [] as ScoreBlock[], outgoing: [] as ScoreBlock[], moves: [] as MoveOp[],
  }]));
  for (const m of maps) {
    const slots = m.rows / m.outFold;
    const s = swapA / (m.rows * m.cols);
    const to = layers.get(m.to)!;
    const from = layers.get(m.from)!;
    for (let f = 0; f < m.outFold; f++) {
      const offset = off(m.weight) + f * slots * m.cols;
      const block = { offset, rows: slots, cols: m.cols, dist: dist(slots, m.cols), s };
      to.incoming.push(block);
      from.outgoing.push(block);
      to.moves.push({ rows: true, offset, width: m.cols });
      if (m.bias) to.moves.push({ rows: true, offset: off(m.bias) + f * slots, width: 1 });
    }
    from.moves.push({ rows: false, offset: off(m.weight), height: m.rows, width: m.cols });
  }
  const resid = layers.get("resid")!;
  const passengers = residualPassengers(spec);
  for (const name of passengers.columns) {
    const t = model.slot(name);
    resid.moves.push({ rows: false, offset: t.offset, height: t.shape[0], width: t.shape[1] });
  }
  for (const name of passengers.entries) resid.moves.push({ rows: true, offset: off(name), width: 1 });

  const order: SwapLayer[] = [];
  for (let l = spec.nLayers - 1; l >= 0; l--) {
    if (spec.dMlp > 0) order.push(layers.get(`${l}.mlp`)!);
    order.push(layers.get(`${l}.attn`)!);
  }
  order.push(resid);
  return order;
}

/** Swaps positions j and k of a layer in one buffer laid out like the parameters. */
export function applyMoves(p: Float32Array, moves: MoveOp[], j: number, k: number): void {
  if (j === k) return;
  for (const m of moves) {
    if (m.rows) {
      const a = m.offset + j * m.width;
      const b = m.offset + k * m.width;
      for (let c = 0; c < m.width; c++) {
        const t = p[a + c];
        p[a + c] = p[b + c];
        p[b + c] = t;
      }
    } else {
      for (let r = 0; r < m.height; r++) {
        const a = m.offset + r * m.width;
        const t = p[a + j];
        p[a + j] = p[a + k];
        p[a + k] = t;
      }
    }
  }
}

/** Positions lo … hi−1 by importance, descending (stable: ties keep the lower position first), the first k. */
function topPositions(imp: ArrayLike<number>, lo: number, hi: number, k: number): number[] {
  const idx = Array.from({ length: hi - lo }, (_, i) => lo + i);
  idx.sort((a, b) => imp[b] - imp[a]);
  return idx.slice(0, Math.min(k, idx.length));
}

/** The position of the smallest value in lo … hi−1, the lowest on ties. */
function argmin(a: ArrayLike<number>, lo: number, hi: number): number {
  let best = lo;
  for (let c = lo + 1; c < hi; c++) if (a[c] < a[best]) best = c;
  return best;
}
