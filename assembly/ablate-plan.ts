// The plan of an ACDC run: one i32 block in linear memory holding the sizes and buffer pointers every
// ablate kernel needs, so a kernel takes one pointer instead of thirty numbers. The host writes it
// (src/circuits/ablate-plan.ts writePlan, whose PLAN, LAYER_FIELDS and MAX_DEPTH must equal the
// layout exported below; test/circuits/ablate-abi.test.ts reads these constants from the module).
//
// Caches (n examples, row-major, unpadded): per weight layer m, a_m (n × d_m, the senders' current
// values: the network input for m = 0, SiLU outputs after), ã_m (n × d_m, ablated sender values, fixed),
// z_m (n × d_{m+1}, pre-activations; z_{L−1} is the output). Masked weights are kept twice: WM_m
// (out × in, zero where removed, for the host's GEMM refreshes) and WT_m (in × pad4(out), the
// transpose, so a sender's outgoing weights are one contiguous SIMD row).

// Metric ids (src/circuits/types.ts METRICS is in this order).
export const METRIC_KL: i32 = 0;
export const METRIC_MSE: i32 = 1;
export const METRIC_LOGIT_DIFF: i32 = 2;
export const METRIC_NLL: i32 = 3;

/** Weight layers a plan may have: the downstream tables (ablate-downstream.ts) hold depth + 1 entries. */
export const ABLATE_MAX_DEPTH: i32 = 63;

// The plan's header: one i32 word per field, in this order; then `depth` Layer records.
@unmanaged export class Plan {
  depth: i32; // L: number of weight layers
  n: i32; // examples
  metric: i32; // a METRIC_* id
  count: i32; // examples the metric averages over
  dOut: i32; // outputs
  nS: i32; // outputs in the metric's subset S
  inS: usize; // i32 (pOut): 1 if the output slot is in S, zero padding
  label: usize; // i32 (n): the label's output slot, −1 if the example is not counted (logit-diff, nll)
  yFull: usize; // f32 (n × pOut): the full model's outputs, zero padding
  pFull: usize; // f64 (n × pOut): the full model's softmax (kl), zero padding
  pRest: usize; // f64 (n): full-model probability outside S (kl)
  terms: usize; // f64 (n): current per-example terms
  scratch: usize; // ablateScratchBytes(plan) bytes, 16-byte aligned
  listStart: usize; // i32 (d_l + 1): per-sender list offsets (deltaLists)
  listIdx: usize; // i32: example of each list entry
  listVal: usize; // f64: ã − a of each list entry

  /** Weight layer m's record, after the header. */
  // @ts-ignore: decorator
  @inline layer(m: i32): Layer {
    return changetype<Layer>(changetype<usize>(this) + offsetof<Plan>() + <usize>m * offsetof<Layer>());
  }
}

// One weight layer m: sizes, then byte offsets.
@unmanaged export class Layer {
  dIn: i32; // d_m
  dOut: i32; // d_{m+1}
  w: usize; // f32 (out × in): the model's weights
  b: usize; // f32 (out): biases
  mask: usize; // u8 (out × in): 1 = edge kept
  wm: usize; // f32 (out × in): weights with removed edges zeroed
  wt: usize; // f32 (in × pad4(out)): transpose of WM, zero padding
  a: usize; // f32 (n × in): current sender values
  aTilde: usize; // f32 (n × in): ablated sender values
  z: usize; // f32 (n × out): current pre-activations
}

// The layout as word indices, for the host's writePlan (checked by test/circuits/ablate-abi.test.ts).
export const PLAN_DEPTH: i32 = offsetof<Plan>("depth") >> 2;
export const PLAN_N: i32 = offsetof<Plan>("n") >> 2;
export const PLAN_METRIC: i32 = offsetof<Plan>("metric") >> 2;
export const PLAN_COUNT: i32 = offsetof<Plan>("count") >> 2;
export const PLAN_D_OUT: i32 = offsetof<Plan>("dOut") >> 2;
export const PLAN_N_S: i32 = offsetof<Plan>("nS") >> 2;
export const PLAN_IN_S: i32 = offsetof<Plan>("inS") >> 2;
export const PLAN_LABEL: i32 = offsetof<Plan>("label") >> 2;
export const PLAN_Y_FULL: i32 = offsetof<Plan>("yFull") >> 2;
export const PLAN_P_FULL: i32 = offsetof<Plan>("pFull") >> 2;
export const PLAN_P_REST: i32 = offsetof<Plan>("pRest") >> 2;
export const PLAN_TERMS: i32 = offsetof<Plan>("terms") >> 2;
export const PLAN_SCRATCH: i32 = offsetof<Plan>("scratch") >> 2;
export const PLAN_LIST_START: i32 = offsetof<Plan>("listStart") >> 2;
export const PLAN_LIST_IDX: i32 = offsetof<Plan>("listIdx") >> 2;
export const PLAN_LIST_VAL: i32 = offsetof<Plan>("listVal") >> 2;
export const PLAN_LAYERS: i32 = offsetof<Plan>() >> 2;
export const LAYER_D_IN: i32 = offsetof<Layer>("dIn") >> 2;
export const LAYER_D_OUT: i32 = offsetof<Layer>("dOut") >> 2;
export const LAYER_W: i32 = offsetof<Layer>("w") >> 2;
export const LAYER_B: i32 = offsetof<Layer>("b") >> 2;
export const LAYER_MASK: i32 = offsetof<Layer>("mask") >> 2;
export const LAYER_WM: i32 = offsetof<Layer>("wm") >> 2;
export const LAYER_WT: i32 = offsetof<Layer>("wt") >> 2;
export const LAYER_A: i32 = offsetof<Layer>("a") >> 2;
export const LAYER_A_TILDE: i32 = offsetof<Layer>("aTilde") >> 2;
export const LAYER_Z: i32 = offsetof<Layer>("z") >> 2;
export const LAYER_WORDS: i32 = offsetof<Layer>() >> 2;

/** The plan at `ptr`; traps on a depth the kernels' tables cannot hold (the host refuses it first). */
export function usePlan(ptr: usize): Plan {
  const p = changetype<Plan>(ptr);
  if (p.depth > ABLATE_MAX_DEPTH) unreachable();
  return p;
}

// A bump allocator over the plan's scratch block, reset by each kernel call that uses it (the block is
// ablateScratchBytes(plan) bytes: ablate-downstream.ts sizes it for everything taken from it).
@unmanaged export class Scratch {
  free: usize; // next free byte, 16-byte aligned

  /** `bytes` bytes (rounded up to 16) of scratch. */
  // @ts-ignore: decorator
  @inline take(bytes: i32): usize {
    const at = this.free;
    this.free = at + ((<usize>bytes + 15) & ~<usize>15);
    return at;
  }
}

/** The plan's scratch as an empty allocator; its own header sits at the block's start. */
export function openScratch(p: Plan): Scratch {
  const s = changetype<Scratch>((p.scratch + 15) & ~<usize>15);
  s.free = changetype<usize>(s) + 16;
  return s;
}

// @ts-ignore: decorator
@inline export function pad4(n: i32): i32 {
  return (n + 3) & ~3;
}

// out (n) = a − b (the host's refresh of the pruned network: a − ã per layer)
export function subtract(out: usize, a: usize, b: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.sub(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) - load<f32>(b + o));
  }
}

// ---- sparse deltas ----
// Per sender i of weight layer l, the examples where its ablation changes anything: entries
// start[i] … start[i+1] of (idx = example k, val = ã − a in f64, exact for two f32 values).
// Examples with a zero delta are never visited again (most MNIST pixels, for zero and resample).
export function deltaLists(plan: usize, l: i32): i32 {
  const p = usePlan(plan);
  const start = p.listStart;
  const idx = p.listIdx;
  const val = p.listVal;
  const n = p.n;
  const L = p.layer(l);
  const dIn = L.dIn;
  const a = L.a;
  const at = L.aTilde;
  let e = 0;
  for (let i = 0; i < dIn; i++) {
    store<i32>(start + (<usize>i << 2), e);
    for (let k = 0; k < n; k++) {
      const o = (<usize>k * <usize>dIn + <usize>i) << 2;
      const d = <f64>load<f32>(at + o) - <f64>load<f32>(a + o);
      if (d == 0) continue;
      store<i32>(idx + (<usize>e << 2), k);
      store<f64>(val + (<usize>e << 3), d);
      e++;
    }
  }
  store<i32>(start + (<usize>dIn << 2), e);
  return e;
}
