// Downstream of one changed neuron: what the edge-level and neuron-level passes share. When neuron j
// of neuron layer r carries s more on its kept outgoing edges (for one example), the outputs move by a
// rank-1 update of the next layer, then SiLU, then the rest of the network; prepare() sets that up from
// the plan's caches as they are when a visit starts, and shiftRow() evaluates it per example.
import { klBase, klBaseBytes, KlBase, klShift, termOf } from "./ablate-metrics";
import { ABLATE_MAX_DEPTH, METRIC_KL, openScratch, pad4, Plan, Scratch, usePlan } from "./ablate-plan";
import { sigmoid4 } from "./simd-math";

// ---- SIMD SiLU ----
// x·σ(x) with the module's four-lane exp (assembly/simd-math.ts): the same bits as nn.ts siluForward,
// so cached activations read exactly like the host's GEMM refreshes and the naive run's passes.
// @ts-ignore: decorator
@inline export function siluV(x: v128): v128 {
  return f32x4.mul(x, sigmoid4(x));
}

// Scalar SiLU with the same bits as one lane of siluV.
export function siluS(x: f32): f32 {
  return f32x4.extract_lane(siluV(f32x4.splat(x)), 0);
}

// The passes' state, at the start of the plan's scratch. Per neuron layer m = r+1 … L, four i32 tables
// (depth + 1 entries) give the padded width, the base pre-activations (n × width), the base SiLU outputs
// (hidden m) and the incoming rows (count and pointer; row stride = width of m).
@unmanaged export class Downstream {
  scratch: Scratch; // what the passes take their temporaries from
  r: i32; // the changed neuron's layer
  zt: usize; // temporaries, one padded row each
  dv: usize;
  width: usize; // i32 tables, indexed by neuron layer
  zb: usize;
  ab: usize;
  rows: usize;
  win: usize;
  kl: usize; // the KlBase of the base outputs (kl only)
}

const TABLE_BYTES = (ABLATE_MAX_DEPTH + 1) * 4;

// @ts-ignore: decorator
@inline export function at(table: usize, m: i32): usize {
  return <usize>load<i32>(table + (<usize>m << 2));
}
// @ts-ignore: decorator
@inline function setAt(table: usize, m: i32, v: usize): void {
  store<i32>(table + (<usize>m << 2), <i32>v);
}

// Scratch bytes any prepare() + receiver pass needs for this plan.
export function ablateScratchBytes(plan: usize): i32 {
  const p = usePlan(plan);
  const L = p.depth;
  const n = p.n;
  let maxP = pad4(p.layer(0).dIn);
  let rows = 0; // per-example padded floats over all neuron layers 1 … L, twice for hidden ones
  let mats = 0; // one compacted weight block
  for (let m = 0; m < L; m++) {
    const w = pad4(p.layer(m).dOut);
    maxP = max(maxP, w);
    rows += m + 1 < L ? 2 * w : w;
    if (m + 1 < L) mats = max(mats, w * pad4(p.layer(m + 1).dOut));
  }
  const kl = p.metric == METRIC_KL ? klBaseBytes(p) : 0;
  const state = 16 + offsetof<Downstream>() + 5 * TABLE_BYTES;
  const words = n * rows + mats + maxP * 4 + n * (16 + pad4(p.dOut)) + 256; // + 16-byte rounding of each block
  return words * 4 + kl + state;
}

// Copies z (n × d, unpadded) into a fresh padded block (n × pad4(d)), padding zero.
function padded(s: Scratch, n: i32, z: usize, d: i32): usize {
  const w = pad4(d);
  const out = s.take(n * w * 4);
  for (let k = 0; k < n; k++) {
    const row = out + ((<usize>k * <usize>w) << 2);
    memory.copy(row, z + ((<usize>k * <usize>d) << 2), <usize>d << 2);
    memory.fill(row + (<usize>d << 2), 0, <usize>(w - d) << 2);
  }
  return out;
}

function siluBlock(s: Scratch, z: usize, count: i32): usize {
  const a = s.take(count * 4);
  for (let i = 0; i < count; i += 4) v128.store(a + (<usize>i << 2), siluV(v128.load(z + (<usize>i << 2))));
  return a;
}

// Sets up the passes for "neuron j of neuron layer r carries s more on its kept outgoing edges".
// The next layer is compacted to the neurons j still reaches (the rest cannot change); later layers
// stay dense. Base SiLU outputs are recomputed with the SIMD SiLU, so an unchanged pre-activation
// gives an exactly zero change downstream. Resets the plan's scratch.
export function prepare(p: Plan, r: i32, j: i32): Downstream {
  const s = openScratch(p);
  const ds = changetype<Downstream>(s.take(offsetof<Downstream>()));
  ds.scratch = s;
  ds.r = r;
  ds.width = s.take(TABLE_BYTES);
  ds.zb = s.take(TABLE_BYTES);
  ds.ab = s.take(TABLE_BYTES);
  ds.rows = s.take(TABLE_BYTES);
  ds.win = s.take(TABLE_BYTES);
  const n = p.n;
  const L = p.depth;
  const pOut = pad4(p.dOut);
  const yb = padded(s, n, p.layer(L - 1).z, p.dOut);
  let maxP = pOut;
  for (let m = 0; m <= L; m++) maxP = max(maxP, pad4(m < L ? p.layer(m).dIn : p.dOut));
  ds.zt = s.take(maxP * 4);
  ds.dv = s.take(maxP * 4);
  setAt(ds.width, L, pOut);
  setAt(ds.zb, L, yb);
  ds.kl = p.metric == METRIC_KL ? changetype<usize>(klBase(p, s, yb)) : 0;
  if (r == L) return ds;
  const dNext = p.layer(r).dOut;
  const wtRow = p.layer(r).wt + ((<usize>j * <usize>pad4(dNext)) << 2);
  if (r + 1 == L) {
    setAt(ds.win, L, wtRow);
    return ds;
  }
  // compact layer r+1 to the neurons with a nonzero kept weight from j
  const act = s.take(pad4(dNext) * 4);
  let nA = 0;
  for (let o = 0; o < dNext; o++) {
    if (load<f32>(wtRow + (<usize>o << 2)) != 0) {
      store<i32>(act + (<usize>nA << 2), o);
      nA++;
    }
  }
  const pA = pad4(nA);
  const zc = s.take(n * pA * 4);
  const zr = p.layer(r).z;
  for (let k = 0; k < n; k++) {
    const row = zc + ((<usize>k * <usize>pA) << 2);
    const src = zr + ((<usize>k * <usize>dNext) << 2);
    for (let t = 0; t < nA; t++) {
      const o = <usize>load<i32>(act + (<usize>t << 2));
      store<f32>(row + (<usize>t << 2), load<f32>(src + (o << 2)));
    }
    for (let t = nA; t < pA; t++) store<f32>(row + (<usize>t << 2), 0);
  }
  const wc = s.take(pA * 4);
  for (let t = 0; t < pA; t++) {
    store<f32>(wc + (<usize>t << 2), t < nA ? load<f32>(wtRow + (<usize>load<i32>(act + (<usize>t << 2)) << 2)) : 0);
  }
  setAt(ds.width, r + 1, pA);
  setAt(ds.zb, r + 1, zc);
  setAt(ds.ab, r + 1, siluBlock(s, zc, n * pA));
  setAt(ds.win, r + 1, wc);
  // rows into layer r+2 from the compacted neurons only
  const p2 = pad4(p.layer(r + 1).dOut);
  const wt2 = p.layer(r + 1).wt;
  const wtc = s.take(max(pA, 1) * p2 * 4);
  for (let t = 0; t < nA; t++) {
    const o = <usize>load<i32>(act + (<usize>t << 2));
    memory.copy(wtc + ((<usize>t * <usize>p2) << 2), wt2 + ((o * <usize>p2) << 2), <usize>p2 << 2);
  }
  setAt(ds.rows, r + 2, nA);
  setAt(ds.win, r + 2, wtc);
  for (let m = r + 2; m <= L; m++) {
    setAt(ds.width, m, m < L ? pad4(p.layer(m - 1).dOut) : pOut);
    if (m > r + 2) {
      setAt(ds.rows, m, p.layer(m - 1).dIn);
      setAt(ds.win, m, p.layer(m - 1).wt);
    }
    if (m < L) {
      const zb = padded(s, n, p.layer(m - 1).z, p.layer(m - 1).dOut);
      setAt(ds.zb, m, zb);
      setAt(ds.ab, m, siluBlock(s, zb, n * pad4(p.layer(m - 1).dOut)));
    }
  }
  return ds;
}

// dst (w) = zb (w) + Σ_t dv[t] · rows[t, :] over `count` rows of stride w, rows with a zero change
// skipped. Up to 16 columns (the output layer of a classifier) the sums stay in registers.
function accumulateRows(dv: usize, zb: usize, rowsAt: usize, count: i32, w: i32, dst: usize): void {
  if (w > 16) {
    memory.copy(dst, zb, <usize>w << 2);
    for (let t = 0; t < count; t++) {
      const d = load<f32>(dv + (<usize>t << 2));
      if (d == 0) continue;
      const dsplat = f32x4.splat(d);
      const row = rowsAt + ((<usize>t * <usize>w) << 2);
      for (let c = 0; c < w; c += 4) {
        const o = <usize>c << 2;
        v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.mul(dsplat, v128.load(row + o))));
      }
    }
    return;
  }
  const zero = f32x4.splat(0);
  let a0 = v128.load(zb);
  let a1 = w > 4 ? v128.load(zb, 16) : zero;
  let a2 = w > 8 ? v128.load(zb, 32) : zero;
  let a3 = w > 12 ? v128.load(zb, 48) : zero;
  for (let t = 0; t < count; t++) {
    const d = load<f32>(dv + (<usize>t << 2));
    if (d == 0) continue;
    const dsplat = f32x4.splat(d);
    const row = rowsAt + ((<usize>t * <usize>w) << 2);
    a0 = f32x4.add(a0, f32x4.mul(dsplat, v128.load(row)));
    if (w > 4) a1 = f32x4.add(a1, f32x4.mul(dsplat, v128.load(row, 16)));
    if (w > 8) a2 = f32x4.add(a2, f32x4.mul(dsplat, v128.load(row, 32)));
    if (w > 12) a3 = f32x4.add(a3, f32x4.mul(dsplat, v128.load(row, 48)));
  }
  v128.store(dst, a0);
  if (w > 4) v128.store(dst, a1, 16);
  if (w > 8) v128.store(dst, a2, 32);
  if (w > 12) v128.store(dst, a3, 48);
}

// y (a padded output row) = example k's outputs when the prepared neuron's outgoing edges carry s more
// than in the base caches: a rank-1 update of the next layer, SiLU, then the rest of the network (rows
// with a zero change skipped).
export function shiftRow(p: Plan, ds: Downstream, k: i32, s: f32, y: usize): void {
  const L = p.depth;
  let m = ds.r + 1;
  let w = <i32>at(ds.width, m);
  const sv = f32x4.splat(s);
  let zb = at(ds.zb, m) + ((<usize>k * <usize>w) << 2);
  let win = at(ds.win, m);
  const zt = ds.zt;
  const dv = ds.dv;
  const z = m < L ? zt : y;
  for (let c = 0; c < w; c += 4) {
    const o = <usize>c << 2;
    v128.store(z + o, f32x4.add(v128.load(zb + o), f32x4.mul(sv, v128.load(win + o))));
  }
  while (m < L) {
    const ab = at(ds.ab, m) + ((<usize>k * <usize>w) << 2);
    for (let c = 0; c < w; c += 4) {
      const o = <usize>c << 2;
      v128.store(dv + o, f32x4.sub(siluV(v128.load(zt + o)), v128.load(ab + o)));
    }
    m++;
    w = <i32>at(ds.width, m);
    accumulateRows(dv, at(ds.zb, m) + ((<usize>k * <usize>w) << 2), at(ds.win, m), <i32>at(ds.rows, m), w,
      m < L ? zt : y);
  }
}

// Metric term of example k for outputs y (a padded row), after prepare().
// @ts-ignore: decorator
@inline export function shiftedTerm(p: Plan, ds: Downstream, k: i32, y: usize): f64 {
  return p.metric == METRIC_KL ? klShift(p, changetype<KlBase>(ds.kl), k, y) : termOf<f32>(p, k, y);
}
