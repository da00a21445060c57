// ACDC at the neuron level: a test removes all kept outgoing edges of one neuron at once (the loop of
// src/circuits/acdc-nodes.ts; the naive reference is acdcNodesNaive in src/circuits/acdc-naive.ts).
import { pad4, usePlan } from "./ablate-plan";
import { prepare, shiftedTerm, shiftRow, siluS } from "./ablate-downstream";

// Σ over examples of (term − current term) / count if neuron u of neuron layer l had all its kept
// outgoing edges removed (its receivers read ã_u instead of a_u). Needs deltaLists(plan, l).
export function acdcNeuron(plan: usize, l: i32, u: i32): f64 {
  const p = usePlan(plan);
  const ds = prepare(p, l, u);
  const start = p.listStart;
  const idx = p.listIdx;
  const val = p.listVal;
  const terms = p.terms;
  const zt = ds.zt;
  const e1 = load<i32>(start + (<usize>(u + 1) << 2));
  let dsum: f64 = 0;
  for (let e = load<i32>(start + (<usize>u << 2)); e < e1; e++) {
    const k = load<i32>(idx + (<usize>e << 2));
    shiftRow(p, ds, k, <f32>load<f64>(val + (<usize>e << 3)), zt);
    dsum += shiftedTerm(p, ds, k, zt) - load<f64>(terms + (<usize>k << 3));
  }
  return dsum / <f64>p.count;
}

// Applies an accepted neuron removal to the caches, for the examples it changes: z_l rows +=
// (ã_u − a_u)·WT_l[u, :] (the same f32 update acdcNeuron evaluated) and, for a hidden next layer,
// their SiLU outputs as siluForward computes them. Call before WT_l's row u is zeroed; the host then
// refreshes the layers after l+1.
export function neuronCommit(plan: usize, l: i32, u: i32): void {
  const p = usePlan(plan);
  const dOut = p.layer(l).dOut;
  const row = p.layer(l).wt + ((<usize>u * <usize>pad4(dOut)) << 2);
  const z = p.layer(l).z;
  const hidden = l + 1 < p.depth;
  const a = hidden ? p.layer(l + 1).a : 0;
  const start = p.listStart;
  const idx = p.listIdx;
  const val = p.listVal;
  const e1 = load<i32>(start + (<usize>(u + 1) << 2));
  for (let e = load<i32>(start + (<usize>u << 2)); e < e1; e++) {
    const k = load<i32>(idx + (<usize>e << 2));
    const s = <f32>load<f64>(val + (<usize>e << 3));
    for (let o = 0; o < dOut; o++) {
      const w = load<f32>(row + (<usize>o << 2));
      if (w == 0) continue;
      const p = (<usize>k * <usize>dOut + <usize>o) << 2;
      const v = load<f32>(z + p) + s * w;
      store<f32>(z + p, v);
      if (hidden) store<f32>(a + p, siluS(v));
    }
  }
}
