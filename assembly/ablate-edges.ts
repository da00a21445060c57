// ACDC at the edge level: one kernel call per receiver tests every kept incoming edge of it (the loop
// of src/circuits/acdc.ts, which explains the method; the naive reference is src/circuits/acdc-naive.ts).
import { pad4, usePlan } from "./ablate-plan";
import { at, prepare, shiftedTerm, shiftRow, siluS, siluV } from "./ablate-downstream";

// Visits receiver j of neuron layer l+1: tests its kept incoming edges i → j in increasing i, each
// against the current state, and removes those whose metric change Δ = new − cur is below tau.
// deltas (d_l, f64) gets Δ per tested edge and NaN for edges already absent. Updates the plan's
// mask, WM, WT and per-example terms in place; if anything was removed, also z_l[:, j] and, for a
// hidden receiver, a_{l+1}[:, j] — the host then refreshes the layers after it. Returns the number
// of removed edges. Needs deltaLists(plan, l).
//
// The receiver's pre-activation is held in f64 (z64 = b_j + Σ W·(a or ã), summed in full at the
// start and then moved by the exact W·(ã − a) of each accepted removal), so the tested value is the
// correctly rounded pruned pre-activation whatever the history. Downstream, every test starts from
// the caches as they were when the visit began (they only change at its end), with the receiver's
// total change since then: one rounding per layer, no drift across accepted removals.
export function acdcReceiver(plan: usize, l: i32, j: i32, tau: f64, deltas: usize): i32 {
  const p = usePlan(plan);
  const n = p.n;
  const r = l + 1;
  const hidden = r < p.depth;
  const layer = p.layer(l);
  const dIn = layer.dIn;
  const dOut = layer.dOut;
  const wRow = layer.w + ((<usize>j * <usize>dIn) << 2);
  const wmRow = layer.wm + ((<usize>j * <usize>dIn) << 2);
  const maskRow = layer.mask + <usize>j * <usize>dIn;
  const wt = layer.wt;
  const pOutL = pad4(dOut);
  const a = layer.a;
  const at_ = layer.aTilde;
  const start = p.listStart;
  const idx = p.listIdx;
  const val = p.listVal;
  const terms = p.terms;
  const count = <f64>p.count;

  const ds = prepare(p, r, j);
  const s = ds.scratch;
  const z64 = s.take(n * 8);
  const zNew = s.take(n * 8);
  const tNew = s.take(n * 8);
  const kNew = s.take(n * 4);
  const xCur = s.take(n * 4);
  const aBase = s.take(n * 4);
  const xCh = s.take(pad4(n) * 4); // per changed example: new f32 pre-activation,
  const sCh = s.take(pad4(n) * 4); // base activation, then the change of the activation,
  const cCh = s.take(n * 4); // its entry in zNew / tNew / kNew
  const pOut = pad4(p.dOut);
  const rows = s.take(n * pOut * 4); // and its new outputs
  const yb = at(ds.zb, p.depth); // the padded base outputs
  const bj = <f64>load<f32>(layer.b + (<usize>j << 2));
  for (let k = 0; k < n; k++) {
    let z = bj;
    const ar = a + ((<usize>k * <usize>dIn) << 2);
    const tr = at_ + ((<usize>k * <usize>dIn) << 2);
    for (let i = 0; i < dIn; i++) {
      const o = <usize>i << 2;
      const w = <f64>load<f32>(wRow + o);
      z += w * <f64>(load<u8>(maskRow + i) ? load<f32>(ar + o) : load<f32>(tr + o));
    }
    store<f64>(z64 + (<usize>k << 3), z);
    const x = <f32>z;
    store<f32>(xCur + (<usize>k << 2), x);
    store<f32>(aBase + (<usize>k << 2), hidden ? siluS(x) : x);
  }

  let removed = 0;
  for (let i = 0; i < dIn; i++) {
    if (!load<u8>(maskRow + i)) {
      store<f64>(deltas + (<usize>i << 3), NaN);
      continue;
    }
    const w = <f64>load<f32>(wRow + (<usize>i << 2));
    const e0 = w == 0 ? 0 : load<i32>(start + (<usize>i << 2));
    const e1 = w == 0 ? 0 : load<i32>(start + (<usize>(i + 1) << 2));
    // the examples' new pre-activations, and which of them change in f32
    let cnt = 0;
    let nc = 0;
    for (let e = e0; e < e1; e++) {
      const k = load<i32>(idx + (<usize>e << 2));
      const zk = load<f64>(z64 + (<usize>k << 3)) + w * load<f64>(val + (<usize>e << 3));
      const x = <f32>zk;
      store<f64>(zNew + (<usize>cnt << 3), zk);
      store<f64>(tNew + (<usize>cnt << 3), load<f64>(terms + (<usize>k << 3)));
      store<i32>(kNew + (<usize>cnt << 2), k);
      if (x != load<f32>(xCur + (<usize>k << 2))) {
        store<f32>(xCh + (<usize>nc << 2), x);
        store<f32>(sCh + (<usize>nc << 2), load<f32>(aBase + (<usize>k << 2)));
        store<i32>(cCh + (<usize>nc << 2), cnt);
        nc++;
      }
      cnt++;
    }
    // their output rows, then terms
    if (hidden) {
      for (let c = 0; c < nc; c += 4) {
        const o = <usize>c << 2;
        v128.store(sCh + o, f32x4.sub(siluV(v128.load(xCh + o)), v128.load(sCh + o)));
      }
    }
    for (let c = 0; c < nc; c++) {
      const k = load<i32>(kNew + (<usize>load<i32>(cCh + (<usize>c << 2)) << 2));
      const y = rows + ((<usize>c * <usize>pOut) << 2);
      if (hidden) {
        shiftRow(p, ds, k, load<f32>(sCh + (<usize>c << 2)), y);
      } else {
        memory.copy(y, yb + ((<usize>k * <usize>pOut) << 2), <usize>pOut << 2);
        store<f32>(y + (<usize>j << 2), load<f32>(xCh + (<usize>c << 2)));
      }
    }
    let dsum: f64 = 0;
    for (let c = 0; c < nc; c++) {
      const ct = tNew + (<usize>load<i32>(cCh + (<usize>c << 2)) << 3);
      const k = load<i32>(kNew + (<usize>load<i32>(cCh + (<usize>c << 2)) << 2));
      const t = shiftedTerm(p, ds, k, rows + ((<usize>c * <usize>pOut) << 2));
      dsum += t - load<f64>(ct);
      store<f64>(ct, t);
    }
    const delta = dsum / count;
    store<f64>(deltas + (<usize>i << 3), delta);
    if (delta < tau) {
      store<u8>(maskRow + i, 0);
      store<f32>(wmRow + (<usize>i << 2), 0);
      store<f32>(wt + ((<usize>i * <usize>pOutL + <usize>j) << 2), 0);
      for (let c = 0; c < cnt; c++) {
        const k = load<i32>(kNew + (<usize>c << 2));
        const zk = load<f64>(zNew + (<usize>c << 3));
        store<f64>(z64 + (<usize>k << 3), zk);
        store<f32>(xCur + (<usize>k << 2), <f32>zk);
        store<f64>(terms + (<usize>k << 3), load<f64>(tNew + (<usize>c << 3)));
      }
      removed++;
    }
  }

  if (removed) {
    const z = layer.z;
    const aNext = hidden ? p.layer(r).a : 0;
    for (let k = 0; k < n; k++) {
      const x = load<f32>(xCur + (<usize>k << 2));
      store<f32>(z + ((<usize>k * <usize>dOut + <usize>j) << 2), x);
      if (hidden) store<f32>(aNext + ((<usize>k * <usize>dOut + <usize>j) << 2), siluS(x));
    }
  }
  return removed;
}
