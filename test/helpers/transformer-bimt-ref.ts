// Slow twins of the transformer BIMT code, written from the spec with plain loops in f64 and no code
// shared with src/train/transformer-{cost,swap}.ts or src/model/transformer-coords.ts: the connection
// cost recomputed in full, the three swap kinds applied by tensor name, and a relocate that scores every
// candidate by recomputing the whole cost.
import type { TransformerSpec } from "../../src/model/transformer-spec.ts";

type Tensors = Record<string, Float32Array>;

const x = (i: number, n: number) => (i + 0.5) / n;

/** Σ_maps mean(|W|·(A·|x_out − x_in| + l0)) + Σ_biases mean|b|·l0 + mean|tok|·l0 + mean|pos|·l0. */
export function referenceCost(spec: TransformerSpec, t: Tensors, A: number, l0: number): number {
  const d = spec.dModel;
  const hd = spec.nHeads * spec.dHead;
  let cost = 0;
  // A map out × in whose rows are `fold` stacked copies of `slots` output coordinates.
  const map = (w: Float32Array, rows: number, cols: number, fold: number) => {
    const slots = rows / fold;
    let s = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) s += Math.abs(w[r * cols + c]) * (A * Math.abs(x(r % slots, slots) - x(c, cols)) + l0);
    }
    cost += s / (rows * cols);
  };
  const flat = (v: Float32Array | undefined) => {
    if (!v) return;
    let s = 0;
    for (const a of v) s += Math.abs(a);
    cost += (l0 * s) / v.length;
  };
  flat(t.tok);
  flat(t.pos);
  if (spec.inDim !== undefined) {
    map(t["in.weight"], d, spec.inDim, 1);
    flat(t["in.bias"]);
  }
  for (let l = 0; l < spec.nLayers; l++) {
    map(t[`${l}.qkv.weight`], 3 * hd, d, 3);
    flat(t[`${l}.qkv.bias`]);
    map(t[`${l}.o.weight`], d, hd, 1);
    flat(t[`${l}.o.bias`]);
    if (spec.dMlp > 0) {
      map(t[`${l}.mlp.in.weight`], spec.dMlp, d, 1);
      flat(t[`${l}.mlp.in.bias`]);
      map(t[`${l}.mlp.out.weight`], d, spec.dMlp, 1);
      flat(t[`${l}.mlp.out.bias`]);
    }
  }
  map(t["unembed.weight"], spec.outDim, d, 1);
  flat(t["unembed.bias"]);
  return cost;
}

export function cloneTensors(t: Tensors): Tensors {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.slice()]));
}

function swapRows(w: Float32Array, cols: number, j: number, k: number) {
  for (let c = 0; c < cols; c++) [w[j * cols + c], w[k * cols + c]] = [w[k * cols + c], w[j * cols + c]];
}
function swapCols(w: Float32Array, rows: number, cols: number, j: number, k: number) {
  for (let r = 0; r < rows; r++) [w[r * cols + j], w[r * cols + k]] = [w[r * cols + k], w[r * cols + j]];
}
function swapEntries(v: Float32Array | undefined, j: number, k: number) {
  if (v) [v[j], v[k]] = [v[k], v[j]];
}

/** Swap kinds: an MLP's hidden neurons j, k; attention slots j, k (q, k, v rows and o columns); residual features j, k. */
export type SwapKind = { kind: "mlp"; layer: number } | { kind: "attn"; layer: number } | { kind: "resid" };

/** Applies one swap to the tensors in place, by name. */
export function referenceSwap(spec: TransformerSpec, t: Tensors, s: SwapKind, j: number, k: number): void {
  if (j === k) return;
  const d = spec.dModel;
  const hd = spec.nHeads * spec.dHead;
  if (s.kind === "mlp") {
    swapRows(t[`${s.layer}.mlp.in.weight`], d, j, k);
    swapEntries(t[`${s.layer}.mlp.in.bias`], j, k);
    swapCols(t[`${s.layer}.mlp.out.weight`], d, spec.dMlp, j, k);
  } else if (s.kind === "attn") {
    for (let f = 0; f < 3; f++) {
      swapRows(t[`${s.layer}.qkv.weight`], d, f * hd + j, f * hd + k);
      swapEntries(t[`${s.layer}.qkv.bias`], f * hd + j, f * hd + k);
    }
    swapCols(t[`${s.layer}.o.weight`], d, hd, j, k);
  } else {
    if (t.tok) swapCols(t.tok, spec.vocab!, d, j, k);
    if (t.pos) swapCols(t.pos, spec.ctx, d, j, k);
    if (spec.inDim !== undefined) {
      swapRows(t["in.weight"], spec.inDim, j, k);
      swapEntries(t["in.bias"], j, k);
    }
    for (let l = 0; l < spec.nLayers; l++) {
      for (const g of ["ln1.g", "ln1.b", "ln2.g", "ln2.b"]) swapEntries(t[`${l}.${g}`], j, k);
      swapCols(t[`${l}.qkv.weight`], 3 * hd, d, j, k);
      swapRows(t[`${l}.o.weight`], hd, j, k);
      swapEntries(t[`${l}.o.bias`], j, k);
      if (spec.dMlp > 0) {
        swapCols(t[`${l}.mlp.in.weight`], spec.dMlp, d, j, k);
        swapRows(t[`${l}.mlp.out.weight`], spec.dMlp, j, k);
        swapEntries(t[`${l}.mlp.out.bias`], j, k);
      }
    }
    swapEntries(t["lnf.g"], j, k);
    swapEntries(t["lnf.b"], j, k);
    swapCols(t["unembed.weight"], spec.outDim, d, j, k);
  }
}

/** Σ|incoming| + Σ|outgoing| weights of every position of a swap layer. */
function importance(spec: TransformerSpec, t: Tensors, s: SwapKind): Float64Array {
  const d = spec.dModel;
  const hd = spec.nHeads * spec.dHead;
  const rowSums = (w: Float32Array, rows: number, cols: number, out: Float64Array, fold = 1) => {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r % (rows / fold)] += Math.abs(w[r * cols + c]);
  };
  const colSums = (w: Float32Array, rows: number, cols: number, out: Float64Array) => {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c] += Math.abs(w[r * cols + c]);
  };
  if (s.kind === "mlp") {
    const out = new Float64Array(spec.dMlp);
    rowSums(t[`${s.layer}.mlp.in.weight`], spec.dMlp, d, out);
    colSums(t[`${s.layer}.mlp.out.weight`], d, spec.dMlp, out);
    return out;
  }
  if (s.kind === "attn") {
    const out = new Float64Array(hd);
    rowSums(t[`${s.layer}.qkv.weight`], 3 * hd, d, out, 3);
    colSums(t[`${s.layer}.o.weight`], d, hd, out);
    return out;
  }
  const out = new Float64Array(d);
  if (spec.inDim !== undefined) rowSums(t["in.weight"], d, spec.inDim, out);
  for (let l = 0; l < spec.nLayers; l++) {
    colSums(t[`${l}.qkv.weight`], 3 * hd, d, out);
    rowSums(t[`${l}.o.weight`], d, hd, out);
    if (spec.dMlp > 0) {
      colSums(t[`${l}.mlp.in.weight`], spec.dMlp, d, out);
      rowSums(t[`${l}.mlp.out.weight`], d, spec.dMlp, out);
    }
  }
  colSums(t["unembed.weight"], spec.outDim, d, out);
  return out;
}

const top = (imp: ArrayLike<number>, lo: number, hi: number, k: number) =>
  Array.from({ length: hi - lo }, (_, i) => lo + i).sort((a, b) => imp[b] - imp[a]).slice(0, k);

/**
 * The relocate of src/train/transformer-swap.ts, with every candidate scored by the full cost after
 * the swap (A = the swap-scoring A): heads first, then slots within heads, per layer, last block's MLP
 * and attention back to the first block's, then the residual stream. Returns the swaps made.
 */
export function referenceRelocate(spec: TransformerSpec, t: Tensors, A: number, l0: number, topK: number): number {
  const cost = () => referenceCost(spec, t, A, l0);
  const layers: { s: SwapKind; n: number; groups: number }[] = [];
  for (let l = spec.nLayers - 1; l >= 0; l--) {
    if (spec.dMlp > 0) layers.push({ s: { kind: "mlp", layer: l }, n: spec.dMlp, groups: 1 });
    layers.push({ s: { kind: "attn", layer: l }, n: spec.nHeads * spec.dHead, groups: spec.nHeads });
  }
  layers.push({ s: { kind: "resid" }, n: spec.dModel, groups: 1 });
  let swaps = 0;
  const best = (candidates: number[], tryOne: (c: number) => number) => {
    let b = candidates[0];
    let bc = Infinity;
    for (const c of candidates) {
      const v = tryOne(c);
      if (v < bc) [b, bc] = [c, v];
    }
    return b;
  };
  for (const { s, n, groups } of layers) {
    const size = n / groups;
    const swapHeads = (a: number, b: number) => {
      for (let i = 0; i < size; i++) referenceSwap(spec, t, s, a * size + i, b * size + i);
    };
    if (groups > 1) {
      const imp = importance(spec, t, s);
      const heads = Array.from({ length: groups }, (_, h) => {
        let v = 0;
        for (let i = 0; i < size; i++) v += imp[h * size + i];
        return v / size;
      });
      for (const h of top(heads, 0, groups, topK)) {
        const c = best([...Array(groups).keys()], (c) => {
          swapHeads(h, c);
          const v = cost();
          swapHeads(h, c);
          return v;
        });
        if (c !== h) {
          swapHeads(h, c);
          swaps++;
        }
      }
    }
    const imp = importance(spec, t, s);
    for (let g = 0; g < groups; g++) {
      for (const j of top(imp, g * size, (g + 1) * size, topK)) {
        const c = best(Array.from({ length: size }, (_, i) => g * size + i), (c) => {
          referenceSwap(spec, t, s, j, c);
          const v = cost();
          referenceSwap(spec, t, s, j, c);
          return v;
        });
        if (c !== j) {
          referenceSwap(spec, t, s, j, c);
          swaps++;
        }
      }
    }
  }
  return swaps;
}
