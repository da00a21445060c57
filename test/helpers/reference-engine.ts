// An Engine look-alike whose kernels are the plain-TS references (src/engine/reference/) on one f64
// heap: code written against the engine (the transformer pass, the trainer's loss calls) runs unchanged
// in f64, for tight finite-difference checks and as the ground truth the f32 WASM run is compared with.
// Pointers are byte offsets as if elements were 4 bytes (ptr/4 is the heap index), so the callers'
// pointer arithmetic (`ptr + 4·offset`) means the same thing here. i32 buffers hold integer values.
import type { AnyBuf, ElementType, Engine } from "../../src/engine/engine.ts";
import { adamwRef } from "../../src/engine/reference/adam.ts";
import { l1CostConstRef, l1CostRef } from "../../src/engine/reference/cost.ts";
import { geluBackwardRef, geluForwardRef, reluBackwardRef, reluForwardRef } from "../../src/engine/reference/activation.ts";
import { attentionBackwardRef, attentionForwardRef } from "../../src/engine/reference/attention.ts";
import { embedGatherRef, embedScatterAddRef, fillRef, gatherRowsRef } from "../../src/engine/reference/data.ts";
import { gemmRef } from "../../src/engine/reference/gemm.ts";
import { layerNormBackwardRef, layerNormForwardRef } from "../../src/engine/reference/layernorm.ts";
import { addBiasRef, colSumRef, siluBackwardRef, siluForwardRef } from "../../src/engine/reference/nn.ts";
import { maskedCrossEntropyRef, maskedMseRef } from "../../src/engine/reference/seq-loss.ts";

/* eslint-disable @typescript-eslint/no-explicit-any -- index arrays live in the f64 heap as numbers */
export function referenceEngine(capacity = 1 << 22): Engine {
  const heap = new Float64Array(capacity);
  let top = 4; // pointer 0 stays "absent"
  const at = (p: number): any => heap.subarray(p / 4);
  // Every element takes one f64 slot, whatever its type; the type is kept so typed callers see theirs.
  const alloc = (len: number, type: ElementType = "f32"): AnyBuf => {
    if (type === "f64") throw new Error("reference engine: f64 buffers would need 8-byte pointers; not supported");
    const ptr = top * 4;
    top += Math.ceil(Math.max(len, 1) / 4) * 4;
    if (top > capacity) throw new RangeError("reference engine: heap full");
    heap.fill(0, ptr / 4, ptr / 4 + len);
    return { ptr, len, type };
  };
  const view = (b: AnyBuf): any => heap.subarray(b.ptr / 4, b.ptr / 4 + b.len);
  const k = {
    memory: { buffer: heap.buffer },
    log64: Math.log,
    cos64: Math.cos,
    gemm: (tA: number, tB: number, M: number, N: number, K: number, a: number, lda: number, b: number, ldb: number,
      c: number, ldc: number, acc: number) => gemmRef(tA, tB, M, N, K, at(a), lda, at(b), ldb, at(c), ldc, acc),
    addBias: (z: number, b: number, B: number, N: number) => addBiasRef(at(z), at(b), B, N),
    colSum: (dst: number, src: number, B: number, N: number, acc: boolean) => colSumRef(at(dst), at(src), B, N, acc),
    addScaled: (dst: number, a: number, d: number, n: number, beta: number) => {
      const [D, A, X] = [at(dst), at(a), at(d)];
      for (let i = 0; i < n; i++) D[i] = A[i] + beta * X[i];
    },
    fill: (dst: number, n: number, v: number) => fillRef(at(dst), n, v),
    embedGather: (dst: number, emb: number, tok: number, B: number, fold: number, dim: number) =>
      embedGatherRef(at(dst), at(emb), at(tok), B, fold, dim),
    embedScatterAdd: (g: number, dx: number, tok: number, B: number, fold: number, dim: number) =>
      embedScatterAddRef(at(g), at(dx), at(tok), B, fold, dim),
    gatherRows: (dst: number, src: number, idx: number, n: number, len: number) => gatherRowsRef(at(dst), at(src), at(idx), n, len),
    layerNormForward: (y: number, x: number, g: number, b: number, mean: number, rstd: number, rows: number, d: number, eps: number) =>
      layerNormForwardRef(at(y), at(x), at(g), at(b), at(mean), at(rstd), rows, d, eps),
    layerNormBackward: (dx: number, dy: number, x: number, g: number, mean: number, rstd: number, dg: number, db: number,
      rows: number, d: number, acc: number) =>
      layerNormBackwardRef(at(dx), at(dy), at(x), at(g), at(mean), at(rstd), at(dg), at(db), rows, d, acc),
    attentionForward: (qkv: number, probs: number, z: number, B: number, T: number, H: number, dh: number, scale: number) =>
      attentionForwardRef(at(qkv), at(probs), at(z), B, T, H, dh, scale),
    attentionBackward: (qkv: number, probs: number, dz: number, dqkv: number, _s: number, B: number, T: number, H: number,
      dh: number, scale: number) => attentionBackwardRef(at(qkv), at(probs), at(dz), at(dqkv), null, B, T, H, dh, scale),
    maskedCrossEntropy: (x: number, labels: number, g: number, rows: number, N: number, s: number) =>
      maskedCrossEntropyRef(at(x), at(labels), g ? at(g) : null, rows, N, s),
    maskedMse: (y: number, t: number, mask: number, g: number, rows: number, N: number, cols: number, s: number) =>
      maskedMseRef(at(y), at(t), at(mask), g ? at(g) : null, rows, N, cols, s),
    adamw: (p: number, g: number, m: number, v: number, n: number, lr: number, b1: number, b2: number, eps: number, wd: number,
      step: number) => adamwRef(at(p), at(g), at(m), at(v), n, lr, b1, b2, eps, wd, step),
    l1Cost: (w: number, d: number, g: number, n: number, s: number) => l1CostRef(at(w), at(d), g ? at(g) : null, n, s),
    l1CostConst: (w: number, c: number, g: number, n: number, s: number) => l1CostConstRef(at(w), c, g ? at(g) : null, n, s),
    geluForward: (z: number, a: number, n: number) => geluForwardRef(at(z), at(a), n),
    geluBackward: (dz: number, da: number, z: number, n: number) => geluBackwardRef(at(dz), at(da), at(z), n),
    reluForward: (z: number, a: number, n: number) => reluForwardRef(at(z), at(a), n),
    reluBackward: (dz: number, da: number, z: number, n: number) => reluBackwardRef(at(dz), at(da), at(z), n),
    siluForward: (z: number, a: number, n: number) => siluForwardRef(at(z), at(a), n),
    siluBackward: (dz: number, da: number, z: number, n: number) => siluBackwardRef(at(dz), at(da), at(z), n),
  };
  const engine = {
    k,
    alloc,
    free: () => {},
    f32: view,
    i32: view,
    view,
    from: (data: ArrayLike<number>, type: ElementType = "f32") => {
      const b = alloc(data.length, type);
      view(b).set(data);
      return b;
    },
    write: (b: AnyBuf, data: ArrayLike<number>, offset = 0) => view(b).set(data, offset),
    read: (b: AnyBuf) => view(b).slice(),
    get memoryStats() {
      return { inUse: top * 4, peak: top * 4, linearMemory: capacity * 4, liveBuffers: 0 };
    },
  };
  return engine as unknown as Engine;
}
