// Dense f32 GEMM, row-major: C (M,N) = (accumulate ? C : 0) + op(A) (M,K) @ op(B) (K,N).
// op(A) is A (row stride lda) or, with transA, the transpose of a (K,M) matrix; same for B.
// Pointers are byte offsets; strides count elements.
//
// Layout follows the GotoBLAS/BLIS loop nest: a KC×NC panel of op(B) and an MC×KC block of op(A)
// are packed into static scratch (the module never allocates), then a 4×8 register-blocked micro-kernel
// with eight v128 accumulators walks them. Baseline SIMD128 only: mul then add, no FMA. 4×8 is what V8
// keeps in registers: 5×8, 6×8, 4×12 and 8×8 tiles measured ~35% slower, unrolling k by 4 ~50% slower.
// Small shapes take the same path: packing costs O(MK + KN) against O(MNK) work, and reading A unpacked
// measured no gain at 200×20×20. Tail strips of 4 or fewer columns use a 4×4 kernel.
//
// Determinism: every C element is C0 + S1 + S2 + ..., where Sp is the sum over the p-th KC slice of K
// taken in increasing k from zero. The order depends only on the shape, never on timing.
// Reference and odd-shape fallback: src/engine/reference/gemm.ts.

const MR = 4; // rows of a micro-tile
const NR = 8; // columns of a micro-tile (two v128)
const KC = 256; // K slice: one packed B strip (KC×NR, 8 KiB) stays in L1
const MC = 128; // rows of a packed A block (MC×KC, 128 KiB) kept in L2
const NC = 256; // columns of a packed B panel (KC×NC, 256 KiB)

const packA: usize = memory.data(MC * KC * 4, 16);
const packB: usize = memory.data(KC * NC * 4, 16);
const tile: usize = memory.data(MR * NR * 4, 16); // edge tiles land here before their partial store

export function gemm(
  transA: i32, transB: i32, M: i32, N: i32, K: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate) zeroC(M, N, c, ldc);
    return;
  }
  for (let j0 = 0; j0 < N; j0 += NC) {
    const nc = min(NC, N - j0);
    for (let p0 = 0; p0 < K; p0 += KC) {
      const kc = min(KC, K - p0);
      const addC = accumulate != 0 || p0 > 0; // later K slices add onto what the first one stored
      packPanelB(transB, b, ldb, p0, j0, kc, nc);
      for (let i0 = 0; i0 < M; i0 += MC) {
        const mc = min(MC, M - i0);
        packBlockA(transA, a, lda, i0, p0, mc, kc);
        macroKernel(mc, nc, kc, c + (<usize>i0 * ldc + j0) * 4, ldc, addC);
      }
    }
  }
}

// C (mc,nc) (+)= packA (mc,kc) @ packB (kc,nc), one 4×8 tile at a time
function macroKernel(mc: i32, nc: i32, kc: i32, c: usize, ldc: i32, addC: bool): void {
  const ldcBytes = <usize>ldc * 4;
  for (let j = 0; j < nc; j += NR) {
    const nr = min(NR, nc - j);
    const pb = packB + <usize>j * kc * 4; // strip j/NR holds kc rows of NR floats
    for (let i = 0; i < mc; i += MR) {
      const mr = min(MR, mc - i);
      const pa = packA + <usize>i * kc * 4; // strip i/MR holds kc columns of MR floats
      const ct = c + <usize>i * ldcBytes + <usize>j * 4;
      if (mr == MR && nr == NR) microKernel(kc, pa, pb, ct, ldcBytes, addC);
      else if (mr == MR && nr == 4) microKernel4(kc, pa, pb, ct, ldcBytes, addC);
      else edgeTile(kc, pa, pb, ct, ldcBytes, addC, mr, nr);
    }
  }
}

// c (4,8) (+)= pa (4,kc: k-major) @ pb (kc,8)
// @ts-ignore: decorator
@inline
function microKernel(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, addC: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let av = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(av, b0));
    c01 = f32x4.add(c01, f32x4.mul(av, b1));
    av = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(av, b0));
    c11 = f32x4.add(c11, f32x4.mul(av, b1));
    av = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(av, b0));
    c21 = f32x4.add(c21, f32x4.mul(av, b1));
    av = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(av, b0));
    c31 = f32x4.add(c31, f32x4.mul(av, b1));
    pa += 16;
    pb += 32;
  }
  storeRow(c, c00, c01, addC);
  storeRow(c + ldc, c10, c11, addC);
  storeRow(c + 2 * ldc, c20, c21, addC);
  storeRow(c + 3 * ldc, c30, c31, addC);
}

// c (4,4) (+)= pa (4,kc: k-major) @ the left half of pb (kc,8): the narrow tail strip, half the work.
// Deliberately not inlined: inlined into macroKernel it slowed the main 4×8 loop (~8% at 256³ and 512³).
function microKernel4(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, addC: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(pa), b0));
    c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(pa, 4), b0));
    c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(pa, 8), b0));
    c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(pa, 12), b0));
    pa += 16;
    pb += 32;
  }
  storeQuad(c, c0, addC);
  storeQuad(c + ldc, c1, addC);
  storeQuad(c + 2 * ldc, c2, addC);
  storeQuad(c + 3 * ldc, c3, addC);
}

// @ts-ignore: decorator
@inline
function storeQuad(c: usize, v: v128, addC: bool): void {
  v128.store(c, addC ? f32x4.add(v128.load(c), v) : v);
}

// @ts-ignore: decorator
@inline
function storeRow(c: usize, lo: v128, hi: v128, addC: bool): void {
  if (addC) {
    lo = f32x4.add(v128.load(c), lo);
    hi = f32x4.add(v128.load(c, 16), hi);
  }
  v128.store(c, lo);
  v128.store(c, hi, 16);
}

// A tile cut by the matrix edge: compute the 4×8 (or 4×4) tile (packing zero-padded it) into scratch,
// then store only its mr×nr corner with the same per-element arithmetic as the micro-kernels.
function edgeTile(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, addC: bool, mr: i32, nr: i32): void {
  if (nr <= 4) microKernel4(kc, pa, pb, tile, NR * 4, false);
  else microKernel(kc, pa, pb, tile, NR * 4, false);
  for (let r = 0; r < mr; r++) {
    const row = c + <usize>r * ldc;
    const t = tile + <usize>r * NR * 4;
    for (let j = 0; j < nr; j++) {
      const off = <usize>j * 4;
      const v = load<f32>(t + off);
      store<f32>(row + off, addC ? load<f32>(row + off) + v : v);
    }
  }
}

// packA (mc,kc) = op(A)[i0:i0+mc, p0:p0+kc] as MR-row strips, k-major inside a strip, zero-padded rows
function packBlockA(transA: i32, a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32): void {
  const ldaBytes = <usize>lda * 4;
  let dst = packA;
  for (let i = 0; i < mc; i += MR) {
    const mr = min(MR, mc - i);
    if (transA) {
      // stored (K,M): the MR values for one k are contiguous
      let src = a + (<usize>p0 * lda + i0 + i) * 4;
      if (mr == MR) {
        for (let k = 0; k < kc; k++) {
          v128.store(dst, v128.load(src));
          src += ldaBytes;
          dst += 16;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          for (let r = 0; r < MR; r++) store<f32>(dst + <usize>r * 4, r < mr ? load<f32>(src + <usize>r * 4) : 0);
          src += ldaBytes;
          dst += 16;
        }
      }
    } else {
      // stored (M,K): transpose 4×4 blocks of MR rows
      const src = a + (<usize>(i0 + i) * lda + p0) * 4;
      let k = 0;
      if (mr == MR) {
        for (; k + 4 <= kc; k += 4) {
          const o = <usize>k * 4;
          transposeStore(dst, v128.load(src + o), v128.load(src + ldaBytes + o),
            v128.load(src + 2 * ldaBytes + o), v128.load(src + 3 * ldaBytes + o));
          dst += 64;
        }
      }
      for (; k < kc; k++) {
        for (let r = 0; r < MR; r++) {
          store<f32>(dst + <usize>r * 4, r < mr ? load<f32>(src + <usize>r * ldaBytes + <usize>k * 4) : 0);
        }
        dst += 16;
      }
    }
  }
}

// packB (kc,nc) = op(B)[p0:p0+kc, j0:j0+nc] as NR-column strips, row-major inside a strip, zero-padded columns
function packPanelB(transB: i32, b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32): void {
  const ldbBytes = <usize>ldb * 4;
  let dst = packB;
  for (let j = 0; j < nc; j += NR) {
    const nr = min(NR, nc - j);
    if (!transB) {
      // stored (K,N): the NR values for one k are contiguous
      let src = b + (<usize>p0 * ldb + j0 + j) * 4;
      if (nr == NR) {
        for (let k = 0; k < kc; k++) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          src += ldbBytes;
          dst += 32;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          for (let c = 0; c < NR; c++) store<f32>(dst + <usize>c * 4, c < nr ? load<f32>(src + <usize>c * 4) : 0);
          src += ldbBytes;
          dst += 32;
        }
      }
    } else {
      // stored (N,K): transpose 4×4 blocks, two per k-quad (columns j..j+3 and j+4..j+7)
      const src = b + (<usize>(j0 + j) * ldb + p0) * 4;
      let k = 0;
      if (nr == NR) {
        const s4 = src + 4 * ldbBytes;
        for (; k + 4 <= kc; k += 4) {
          const o = <usize>k * 4;
          transposeStore2(dst, v128.load(src + o), v128.load(src + ldbBytes + o),
            v128.load(src + 2 * ldbBytes + o), v128.load(src + 3 * ldbBytes + o));
          transposeStore2(dst + 16, v128.load(s4 + o), v128.load(s4 + ldbBytes + o),
            v128.load(s4 + 2 * ldbBytes + o), v128.load(s4 + 3 * ldbBytes + o));
          dst += 128;
        }
      }
      for (; k < kc; k++) {
        for (let c = 0; c < NR; c++) {
          store<f32>(dst + <usize>c * 4, c < nr ? load<f32>(src + <usize>c * ldbBytes + <usize>k * 4) : 0);
        }
        dst += 32;
      }
    }
  }
}

// Rows r0..r3 (4 k's each) → 4 columns stored 16 bytes apart: dst[k*4 + r] = r_r[k]
// @ts-ignore: decorator
@inline
function transposeStore(dst: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, f32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(dst, f32x4.shuffle(t0, t1, 2, 3, 6, 7), 16);
  v128.store(dst, f32x4.shuffle(t2, t3, 0, 1, 4, 5), 32);
  v128.store(dst, f32x4.shuffle(t2, t3, 2, 3, 6, 7), 48);
}

// Same transpose with columns stored 32 bytes apart (half of an NR-wide packed B row)
// @ts-ignore: decorator
@inline
function transposeStore2(dst: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, f32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(dst, f32x4.shuffle(t0, t1, 2, 3, 6, 7), 32);
  v128.store(dst, f32x4.shuffle(t2, t3, 0, 1, 4, 5), 64);
  v128.store(dst, f32x4.shuffle(t2, t3, 2, 3, 6, 7), 96);
}

// C (M,N) = 0 without touching the padding between rows
function zeroC(M: i32, N: i32, c: usize, ldc: i32): void {
  for (let i = 0; i < M; i++) memory.fill(c + <usize>i * ldc * 4, 0, <usize>N * 4);
}
