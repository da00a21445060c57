// What each head attends to: the attention probabilities of a forward pass over given sequences, per
// layer (n, H, T, T), and one head's (T, T) pattern, of one sequence or averaged over them. For the
// pictures (src/viz/attention-svg.ts) and the attention-score checks.
import { TransformerPass } from "./transformer-pass.ts";
import type { Transformer } from "./transformer.ts";

/** Sequences per forward pass: bounds the workspace whatever n is. */
const CHUNK = 64;

/**
 * Attention probabilities of every layer for sequences x (token ids n·ctx, or vectors n·ctx·inDim):
 * result[l] is (n, H, T, T) with T = ctx; row t of a head's block is query t's distribution over keys.
 */
export function attentionProbs(model: Transformer, x: Int32Array | Float32Array, n: number): Float32Array[] {
  const s = model.spec;
  const T = s.ctx;
  const width = s.inDim ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new Error(`attention: n must be a whole number ≥ 1, got ${n}`);
  if (x.length !== n * T * width) throw new Error(`attention: x holds ${x.length} values, expected n ${n} × ctx ${T} × ${width}`);
  if ((s.vocab !== undefined) !== x instanceof Int32Array) {
    throw new Error(`attention: a ${s.vocab !== undefined ? "token" : "vector"} model needs ${s.vocab !== undefined ? "Int32Array token ids" : "Float32Array vectors"}`);
  }
  const block = s.nHeads * T * T;
  const out = Array.from({ length: s.nLayers }, () => new Float32Array(n * block));
  const pass = new TransformerPass(model, Math.min(CHUNK, n));
  try {
    for (let start = 0; start < n; start += pass.batch) {
      const m = Math.min(pass.batch, n - start);
      const rows = x.subarray(start * T * width, (start + m) * T * width);
      model.engine.write(pass.tokens ?? pass.inputs!, rows);
      pass.forward(m);
      for (let l = 0; l < s.nLayers; l++) out[l].set(pass.attention(l, m), start * block);
    }
  } finally {
    pass.dispose();
  }
  return out;
}

/** Head h's (T, T) pattern from a layer's (n, H, T, T) probabilities: of sequence `example`, or the mean over all. */
export function headPattern(layer: Float32Array, nHeads: number, T: number, h: number, example: number | "mean"): Float64Array {
  const block = T * T;
  const n = layer.length / (nHeads * block);
  if (!Number.isInteger(n)) throw new Error(`attention: ${layer.length} values do not split into (n, ${nHeads}, ${T}, ${T})`);
  if (!(Number.isInteger(h) && h >= 0 && h < nHeads)) throw new Error(`attention: head must be 0 … ${nHeads - 1}, got ${h}`);
  const out = new Float64Array(block);
  const add = (i: number, w: number) => {
    const at = (i * nHeads + h) * block;
    for (let j = 0; j < block; j++) out[j] += w * layer[at + j];
  };
  if (example === "mean") for (let i = 0; i < n; i++) add(i, 1 / n);
  else {
    if (!(Number.isInteger(example) && example >= 0 && example < n)) throw new Error(`attention: example must be 0 … ${n - 1}, got ${example}`);
    add(example, 1);
  }
  return out;
}
