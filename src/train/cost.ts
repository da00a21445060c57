// The BIMT connection cost (docs/training.md): Σ_l Σ |W_l[o,i]|·(A_l·dist(o,i) + l0), plus l0·Σ|b| when
// biases are penalised and l0·Σ|E| for an embedding; in the "mean" form each tensor's term is
// averaged over its entries. Coefficients are precomputed once: coordinates belong to positions,
// and swaps only move weights between them.
import { elementPtr, type Buf } from "../engine/engine.ts";
import { distanceMatrix } from "../model/coords.ts";
import type { Mlp } from "../model/mlp.ts";
import type { TrainSettings } from "../tasks/types.ts";

export interface CostTerms {
  /** Loss-side A per weight layer (0 for L1, and for an undistanced last layer). */
  lossA: number;
  /** Swap-scoring A (before per-layer zeroing). */
  swapA: number;
}

export class ConnectionCost {
  /** Per weight layer: A_l·dist + l0, shaped like W_l. */
  readonly coef: Buf[] = [];
  /** Per weight layer: raw distances, shaped like W_l (swap scoring). */
  readonly dist: Buf[] = [];
  /** Per weight layer: 1 (sum form) or 1/numel (mean form). */
  readonly weightScale: number[] = [];
  readonly biasScale: number[] = [];
  readonly embeddingScale: number;
  /** Per weight layer: the A that swap scoring multiplies distances by. */
  readonly swapA: number[] = [];

  constructor(
    readonly model: Mlp,
    readonly settings: TrainSettings,
    terms: CostTerms,
  ) {
    const { shape, embed } = model.spec;
    const e = model.engine;
    const mean = settings.costForm === "mean";
    for (let l = 0; l < model.depth; l++) {
      const undistanced = settings.lastLayerNoDistance && l === model.depth - 1;
      const d = distanceMatrix(model.spec, l);
      const a = undistanced ? 0 : terms.lossA;
      const coef = new Float32Array(d.length);
      for (let i = 0; i < d.length; i++) coef[i] = a * d[i] + settings.l0;
      this.coef.push(e.from(coef));
      this.dist.push(e.from(d));
      this.weightScale.push(mean ? 1 / d.length : 1);
      this.biasScale.push(mean ? 1 / shape[l + 1] : 1);
      this.swapA.push(undistanced ? 0 : terms.swapA);
    }
    this.embeddingScale = embed && mean ? 1 / (embed.tokens * embed.dim) : 1;
  }

  /**
   * Returns the cost and, when `grad` is given, adds λ·∂cost/∂θ into it (a buffer laid out like the
   * model's parameters). λ = 0 with a grad buffer still returns the cost.
   */
  evaluate(lambda: number, penaliseBias: boolean, grad?: Buf): number {
    const m = this.model;
    const { k } = m.engine;
    const { shape, embed } = m.spec;
    const l0 = this.settings.l0;
    const g = (offset: number) => (grad && lambda !== 0 ? elementPtr(grad, offset) : 0);
    let cost = 0;
    for (let l = 0; l < m.depth; l++) {
      const n = shape[l] * shape[l + 1];
      const ws = this.weightScale[l];
      cost += ws * k.l1Cost(m.weightPtr(l), this.coef[l].ptr, g(m.layout.weight[l]), n, lambda * ws);
      if (penaliseBias) {
        const bs = this.biasScale[l];
        cost += bs * k.l1CostConst(m.biasPtr(l), l0, g(m.layout.bias[l]), shape[l + 1], lambda * bs);
      }
    }
    if (embed) {
      const es = this.embeddingScale;
      const n = embed.tokens * embed.dim;
      cost += es * k.l1CostConst(m.embeddingPtr(), l0, g(m.layout.embedding), n, lambda * es);
    }
    return cost;
  }

  dispose(): void {
    this.model.engine.free(...this.coef, ...this.dist);
  }
}
