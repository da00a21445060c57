// BIMT's "relocate" step (docs/training.md, Swaps): in each neuron layer, the top_k most important
// positions each move to the position that lowers the connection cost most. The cost change of
// every candidate is scored by the swapScores kernel from the two adjacent weight layers only.
import type { Buf } from "../engine/engine.ts";
import type { Mlp } from "../model/mlp.ts";
import { slotCount } from "../model/spec.ts";
import type { ConnectionCost } from "./cost.ts";

export interface SwapOptions {
  topK: number;
  swapInputs: boolean;
  /** Extra buffers laid out like the parameters to permute along (e.g. Adam's moments). */
  alsoPermute?: Buf[];
}

/** Scratch for one relocate, sized for the widest layer. */
export class Relocator {
  private readonly scores: Buf;
  private readonly importance: Buf;

  constructor(
    private readonly model: Mlp,
    private readonly cost: ConnectionCost,
  ) {
    const widest = Math.max(...model.spec.shape);
    this.scores = model.engine.alloc(widest);
    this.importance = model.engine.alloc(widest);
  }

  /** Runs one relocate over every neuron layer, input to output; returns the number of swaps made. */
  relocate(opts: SwapOptions): number {
    let swaps = 0;
    for (let layer = opts.swapInputs ? 0 : 1; layer <= this.model.depth; layer++) {
      swaps += this.relocateLayer(layer, opts);
    }
    return swaps;
  }

  /** The connection-cost change of swapping position j with each k of `layer` (a copy). */
  deltas(layer: number, j: number): Float32Array {
    const { k } = this.model.engine;
    const a = this.adjacent(layer);
    k.swapScores(a.wIn, a.dIn, a.fanIn, a.wOut, a.dOut, a.fanOut, a.n, a.fold, a.sIn, a.sOut, j, this.scores.ptr);
    return this.model.engine.f32(this.scores).slice(0, a.n);
  }

  private relocateLayer(layer: number, opts: SwapOptions): number {
    const m = this.model;
    const { k } = m.engine;
    const a = this.adjacent(layer);
    k.importance(a.wIn, a.fanIn, a.wOut, a.fanOut, a.n, a.fold, this.importance.ptr);
    const imp = m.engine.f32(this.importance).slice(0, a.n);
    // Positions by importance, descending; ties keep the lower position first (stable sort).
    const order = Array.from({ length: a.n }, (_, i) => i).sort((p, q) => imp[q] - imp[p]);
    const chosen = order.slice(0, Math.min(opts.topK, a.n));
    let swaps = 0;
    for (const j of chosen) {
      k.swapScores(a.wIn, a.dIn, a.fanIn, a.wOut, a.dOut, a.fanOut, a.n, a.fold, a.sIn, a.sOut, j, this.scores.ptr);
      const delta = m.engine.f32(this.scores);
      let best = 0;
      for (let c = 1; c < a.n; c++) if (delta[c] < delta[best]) best = c; // ties → lowest k
      if (best !== j) {
        swapNeurons(m, layer, j, best, opts.alsoPermute ?? []);
        swaps++;
      }
    }
    return swaps;
  }

  private adjacent(layer: number) {
    const m = this.model;
    const c = this.cost;
    const hasIn = layer > 0;
    const hasOut = layer < m.depth;
    const n = slotCount(m.spec, layer);
    return {
      n,
      fold: layer === 0 ? m.spec.inFold : 1,
      wIn: hasIn ? m.weightPtr(layer - 1) : 0,
      dIn: hasIn ? c.dist[layer - 1].ptr : 0,
      fanIn: hasIn ? m.spec.shape[layer - 1] : 0,
      sIn: hasIn ? c.swapA[layer - 1] * c.weightScale[layer - 1] : 0,
      wOut: hasOut ? m.weightPtr(layer) : 0,
      dOut: hasOut ? c.dist[layer].ptr : 0,
      fanOut: hasOut ? m.spec.shape[layer + 1] : 0,
      sOut: hasOut ? c.swapA[layer] * c.weightScale[layer] : 0,
    };
  }

  dispose(): void {
    this.model.engine.free(this.scores, this.importance);
  }
}

/**
 * Swaps positions j and k of neuron layer `layer` without changing the network's function:
 * hidden — rows of the incoming W and b, columns of the outgoing W; input — columns in every fold,
 * inPerm (and embedding columns); output — rows, biases and outPerm.
 */
export function swapNeurons(m: Mlp, layer: number, j: number, k: number, extra: Buf[] = []): void {
  if (j === k) return;
  const { shape, inFold, embed } = m.spec;
  for (const buf of [m.params, ...extra]) {
    const p = m.engine.f32(buf);
    if (layer > 0) {
      const l = layer - 1; // incoming weight layer
      swapRows(p, m.layout.weight[l], shape[l], j, k);
      swapAt(p, m.layout.bias[l] + j, m.layout.bias[l] + k);
    }
    if (layer < m.depth) {
      const n = slotCount(m.spec, layer);
      const fold = layer === 0 ? inFold : 1;
      for (let f = 0; f < fold; f++) swapCols(p, m.layout.weight[layer], shape[layer + 1], shape[layer], f * n + j, f * n + k);
    }
    if (layer === 0 && embed) swapCols(p, m.layout.embedding, embed.tokens, embed.dim, j, k);
  }
  if (layer === 0) swapAt(m.inPerm, j, k);
  if (layer === m.depth) swapAt(m.outPerm, j, k);
}

function swapAt(a: Float32Array | Int32Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

function swapRows(p: Float32Array, base: number, cols: number, j: number, k: number): void {
  for (let c = 0; c < cols; c++) swapAt(p, base + j * cols + c, base + k * cols + c);
}

function swapCols(p: Float32Array, base: number, rows: number, cols: number, j: number, k: number): void {
  for (let r = 0; r < rows; r++) swapAt(p, base + r * cols + j, base + r * cols + k);
}
