// Host-side signatures of the transformer kernels (assembly/{attention,layernorm,activation,seq-loss}.ts
// and adamw in assembly/adam.ts). Pointers are byte offsets (Buf.ptr); a pointer of 0 means "absent"
// where a comment says so. Shapes are row-major; rows are the B·T positions of a batch, sequence-major.
// References: src/engine/reference/{attention,layernorm,activation,seq-loss,adam}.ts.
import type { Arity } from "./arity.ts";

export interface TransformerAbi {
  // attention.ts
  /**
   * Causal multi-head attention of one layer, every sequence and head in one call:
   * probs (B,H,T,T) = softmax(q kᵀ·scale + causal mask) per head (zero right of the diagonal),
   * z (B·T, H·dh) = A v, head h in columns h·dh.
   */
  attentionForward(
    qkv: number, // (B·T, 3·H·dh): q of heads 0…H−1, then k, then v, dh columns each
    probs: number, // out (B, H, T, T)
    z: number, // out (B·T, H·dh)
    B: number, T: number, H: number, dh: number,
    scale: number, // f32, usually 1/√dh
  ): void;
  /** dqkv (B·T, 3·H·dh) = ∂loss/∂qkv from dz (B·T, H·dh) and the forward's qkv and probs; overwritten. */
  attentionBackward(
    qkv: number, probs: number, dz: number, dqkv: number,
    scratch: number, // f32 (T·T)
    B: number, T: number, H: number, dh: number, scale: number,
  ): void;

  // layernorm.ts
  /** y (rows,d) = (x − μ)·rstd·g + b per row; mean, rstd (rows) out. y may alias x. */
  layerNormForward(y: number, x: number, g: number, b: number, mean: number, rstd: number,
    rows: number, d: number, eps: number): void;
  /**
   * dx (rows,d) (=, or += when accumulate ≠ 0) the input gradient; dg, db (d) = Σ_rows dy·x̂, Σ_rows dy
   * (overwritten). dx must not alias dy or x.
   */
  layerNormBackward(dx: number, dy: number, x: number, g: number, mean: number, rstd: number,
    dg: number, db: number, rows: number, d: number, accumulate: number): void;

  // activation.ts: f32 (n); the output may alias the input.
  /** a = gelu(z), tanh form: ½z(1 + tanh(√(2/π)(z + 0.044715z³))). */
  geluForward(z: number, a: number, n: number): void;
  /** dz = da·gelu'(z). */
  geluBackward(dz: number, da: number, z: number, n: number): void;
  /** a = max(z, 0). */
  reluForward(z: number, a: number, n: number): void;
  /** dz = da where z > 0, else 0. */
  reluBackward(dz: number, da: number, z: number, n: number): void;

  // seq-loss.ts
  /**
   * Mean over rows with labels[r] ≥ 0 of −log softmax(logits (rows,N))[label] (labels i32; < 0 = ignored);
   * dlogits (rows,N, or 0) = gradScale·(softmax − onehot)/count on counted rows, 0 on ignored rows.
   */
  maskedCrossEntropy(logits: number, labels: number, dlogits: number, rows: number, N: number, gradScale: number): number;
  /**
   * Σ over rows with mask[r] ≠ 0 (mask i32 (rows)) and their first `cols` columns of (y − t)², divided by
   * count·cols; dy (rows,N, or 0) = gradScale·2(y − t)/(count·cols) on those entries, 0 elsewhere.
   */
  maskedMse(y: number, t: number, mask: number, dy: number, rows: number, N: number, cols: number, gradScale: number): number;

  // adam.ts
  /** PyTorch AdamW: p ← p − lr·weightDecay·p, then the adam step. f32 hyper-parameters. */
  adamw(p: number, g: number, m: number, v: number, n: number,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, step: number): void;
}

export const TRANSFORMER_ARITY: Arity<TransformerAbi> = {
  attentionForward: 8, attentionBackward: 10,
  layerNormForward: 9, layerNormBackward: 11,
  geluForward: 3, geluBackward: 4, reluForward: 3, reluBackward: 4,
  maskedCrossEntropy: 6, maskedMse: 8,
  adamw: 11,
};
