// Kernel family 'sparse': circuit inference in CSR form, plus the elementwise helpers of edge
// attribution patching. Host signatures: src/engine/abi/circuits.ts; host code: src/circuits/sparse.ts
// and src/circuits/eap.ts.
//
// Sparse activations are feature-major: xT (features, Bp) holds one feature of Bp examples per row,
// Bp a multiple of 4. A kept edge then scales one contiguous row of examples (v128 over examples),
// where a row-major (examples, features) layout would need a scalar gather per nonzero.
// Indices are i32 and trusted (the host builds them from a validated mask).

// yT (nOut, lanes; row stride ldy) = (accumulate ? yT : 0) + S, then + bias (if bias ≠ 0), where
// S[j, ·] = Σ_{k in row j, increasing} vals[k] · xT[colIdx[k], ·], summed from zero; xT has row stride ldx.
// rowPtr (nOut + 1) i32, colIdx (nnz) i32, vals (nnz) f32: W in CSR, rows = receivers. lanes, ldx and
// ldy are multiples of 4.
// Summing each slice from zero and then adding it onto yT is the order in which the dense GEMM adds
// its K slices, so a host that splits W at the GEMM's slice boundaries gets the dense bits exactly.
export function csrMatmulT(
  yT: usize, ldy: i32, xT: usize, ldx: i32, rowPtr: usize, colIdx: usize, vals: usize,
  nOut: i32, lanes: i32, accumulate: i32, bias: usize,
): void {
  const xStride = <usize>ldx << 2;
  const yStride = <usize>ldy << 2;
  // Examples in blocks of 32 (eight v128 accumulators), outermost: one block touches a 128-byte strip
  // of each input row, so the inputs a block needs stay in cache while every row of W passes over it,
  // and each nonzero's index and weight are loaded once for 32 examples.
  let b = 0;
  for (; b + 32 <= lanes; b += 32) {
    const off = <usize>b << 2;
    for (let j = 0; j < nOut; j++) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let s4 = f32x4.splat(0), s5 = f32x4.splat(0), s6 = f32x4.splat(0), s7 = f32x4.splat(0);
      const end = load<i32>(rowPtr + (<usize>(j + 1) << 2));
      for (let k = load<i32>(rowPtr + (<usize>j << 2)); k < end; k++) {
        const w = v128.load32_splat(vals + (<usize>k << 2));
        const x = xT + <usize>load<i32>(colIdx + (<usize>k << 2)) * xStride + off;
        s0 = f32x4.add(s0, f32x4.mul(w, v128.load(x)));
        s1 = f32x4.add(s1, f32x4.mul(w, v128.load(x, 16)));
        s2 = f32x4.add(s2, f32x4.mul(w, v128.load(x, 32)));
        s3 = f32x4.add(s3, f32x4.mul(w, v128.load(x, 48)));
        s4 = f32x4.add(s4, f32x4.mul(w, v128.load(x, 64)));
        s5 = f32x4.add(s5, f32x4.mul(w, v128.load(x, 80)));
        s6 = f32x4.add(s6, f32x4.mul(w, v128.load(x, 96)));
        s7 = f32x4.add(s7, f32x4.mul(w, v128.load(x, 112)));
      }
      const y = yT + <usize>j * yStride + off;
      const bj = bias ? v128.load32_splat(bias + (<usize>j << 2)) : f32x4.splat(0);
      storeLanes(y, s0, accumulate, bias, bj);
      storeLanes(y + 16, s1, accumulate, bias, bj);
      storeLanes(y + 32, s2, accumulate, bias, bj);
      storeLanes(y + 48, s3, accumulate, bias, bj);
      storeLanes(y + 64, s4, accumulate, bias, bj);
      storeLanes(y + 80, s5, accumulate, bias, bj);
      storeLanes(y + 96, s6, accumulate, bias, bj);
      storeLanes(y + 112, s7, accumulate, bias, bj);
    }
  }
  for (; b < lanes; b += 4) {
    const off = <usize>b << 2;
    for (let j = 0; j < nOut; j++) {
      let s = f32x4.splat(0);
      const end = load<i32>(rowPtr + (<usize>(j + 1) << 2));
      for (let k = load<i32>(rowPtr + (<usize>j << 2)); k < end; k++) {
        const w = v128.load32_splat(vals + (<usize>k << 2));
        s = f32x4.add(s, f32x4.mul(w, v128.load(xT + <usize>load<i32>(colIdx + (<usize>k << 2)) * xStride + off)));
      }
      const bj = bias ? v128.load32_splat(bias + (<usize>j << 2)) : f32x4.splat(0);
      storeLanes(yT + <usize>j * yStride + off, s, accumulate, bias, bj);
    }
  }
}

// y = ((accumulate ? y : 0) + s) + b, in that order (the dense path adds the bias after the product).
// @ts-ignore: decorator
@inline
function storeLanes(y: usize, s: v128, accumulate: i32, bias: usize, b: v128): void {
  let v = accumulate ? f32x4.add(v128.load(y), s) : s;
  if (bias) v = f32x4.add(v, b);
  v128.store(y, v);
}

// dst (cols, Bp)[c, b] = src (B, srcWidth)[b, srcCol[c]]: the chosen input columns of B examples,
// transposed to feature-major (srcCol folds in the input slot permutation and skips unused inputs).
// Lanes b ≥ B are left as they are.
export function transposeGather(
  dst: usize, src: usize, B: i32, Bp: i32, srcWidth: i32, cols: i32, srcCol: usize,
): void {
  const dstStride = <usize>Bp << 2;
  const srcStride = <usize>srcWidth << 2;
  // Sixteen examples at a time: sixteen source rows stream in parallel (their cache lines stay hot
  // across consecutive columns), and each destination write fills one 64-byte line. Runs of four
  // adjacent source columns (an identity slot order, as for images) move as 4×4 register transposes;
  // other columns are gathered lane by lane.
  let b0 = 0;
  for (; b0 + 16 <= B; b0 += 16) {
    const rows = src + <usize>b0 * srcStride;
    const out = dst + (<usize>b0 << 2);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const s = srcCol + (<usize>c << 2);
      const c0 = load<i32>(s);
      const q = out + <usize>c * dstStride;
      if (load<i32>(s, 4) == c0 + 1 && load<i32>(s, 8) == c0 + 2 && load<i32>(s, 12) == c0 + 3) {
        const p = rows + (<usize>c0 << 2);
        for (let r = 0; r < 16; r += 4) {
          const a = p + <usize>r * srcStride;
          const r0 = v128.load(a);
          const r1 = v128.load(a + srcStride);
          const r2 = v128.load(a + 2 * srcStride);
          const r3 = v128.load(a + 3 * srcStride);
          const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
          const t1 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
          const t2 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
          const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
          const o = q + (<usize>r << 2);
          v128.store(o, f32x4.shuffle(t0, t1, 0, 1, 4, 5));
          v128.store(o + dstStride, f32x4.shuffle(t0, t1, 2, 3, 6, 7));
          v128.store(o + 2 * dstStride, f32x4.shuffle(t2, t3, 0, 1, 4, 5));
          v128.store(o + 3 * dstStride, f32x4.shuffle(t2, t3, 2, 3, 6, 7));
        }
      } else {
        for (let k = 0; k < 4; k++) {
          const col = <usize>load<i32>(s + (<usize>k << 2));
          gather16(q + <usize>k * dstStride, rows + (col << 2), srcStride);
        }
      }
    }
    for (; c < cols; c++) {
      const col = <usize>load<i32>(srcCol + (<usize>c << 2));
      gather16(out + <usize>c * dstStride, rows + (col << 2), srcStride);
    }
  }
  for (; b0 < B; b0++) {
    const row = src + <usize>b0 * srcStride;
    for (let c = 0; c < cols; c++) {
      const v = load<f32>(row + (<usize>load<i32>(srcCol + (<usize>c << 2)) << 2));
      store<f32>(dst + <usize>c * dstStride + (<usize>b0 << 2), v);
    }
  }
}

// The f32 at p, p + stride, p + 2·stride, p + 3·stride as one vector.
// @ts-ignore: decorator
@inline
function gather4(p: usize, stride: usize): v128 {
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + stride));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * stride));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * stride));
}

// Sixteen rows of one column (p, p + stride, …) into one 64-byte destination run.
// @ts-ignore: decorator
@inline
function gather16(q: usize, p: usize, srcStride: usize): void {
  v128.store(q, gather4(p, srcStride));
  v128.store(q, gather4(p + 4 * srcStride, srcStride), 16);
  v128.store(q, gather4(p + 8 * srcStride, srcStride), 32);
  v128.store(q, gather4(p + 12 * srcStride, srcStride), 48);
}

// dst (B, N)[b, perm[p]] = src (N, Bp)[p, b]: back to example-major rows and original output order
// (output slot p holds original output perm[p]).
export function scatterTranspose(dst: usize, src: usize, B: i32, Bp: i32, N: i32, perm: usize): void {
  const srcStride = <usize>Bp << 2;
  const dstStride = <usize>N << 2;
  for (let p = 0; p < N; p++) {
    const from = src + <usize>p * srcStride;
    const to = dst + (<usize>load<i32>(perm + (<usize>p << 2)) << 2);
    for (let b = 0; b < B; b++) store<f32>(to + <usize>b * dstStride, load<f32>(from + (<usize>b << 2)));
  }
}

// d (B, N) = abl − a, where the ablated row r is abl + r·ablStride (ablStride 0: one row for all,
// the mean ablation; N: one row per example, resample). Used by EAP as (ã − a) per sender.
export function ablationDelta(d: usize, a: usize, abl: usize, B: i32, N: i32, ablStride: i32): void {
  const n4 = N & ~3;
  for (let r = 0; r < B; r++) {
    const row = <usize>r * <usize>N << 2;
    const ar = abl + (<usize>r * <usize>ablStride << 2);
    let c = 0;
    for (; c < n4; c += 4) {
      const o = <usize>c << 2;
      v128.store(d + row + o, f32x4.sub(v128.load(ar + o), v128.load(a + row + o)));
    }
    for (; c < N; c++) {
      const o = <usize>c << 2;
      store<f32>(d + row + o, load<f32>(ar + o) - load<f32>(a + row + o));
    }
  }
}

// dst (n) = a + beta · d. dst may alias a or d.
export function addScaled(dst: usize, a: usize, d: usize, n: i32, beta: f32): void {
  const n4 = n & ~3;
  const bv = f32x4.splat(beta);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(a + o), f32x4.mul(bv, v128.load(d + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(a + o) + beta * load<f32>(d + o));
  }
}

// dst (n) = scale · (a ⊙ b). dst may alias a or b.
export function scaledProduct(dst: usize, a: usize, b: usize, n: i32, scale: f32): void {
  const n4 = n & ~3;
  const sv = f32x4.splat(scale);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.mul(sv, f32x4.mul(v128.load(a + o), v128.load(b + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, scale * (load<f32>(a + o) * load<f32>(b + o)));
  }
}

