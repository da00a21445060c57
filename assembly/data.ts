// Kernel family 'data': batch gathering, the input slot permutation and the token embedding.
// Host signatures: src/engine/abi/ops.ts; plain-TS reference: src/engine/reference/data.ts.
// Indices are i32 arrays; every other array is f32, row-major. Indices are trusted (the host checks
// them once when it builds them), so there are no bounds checks in the loops.

// dst (nIdx, rowLen) ← src (·, rowLen): dst row r = src row idx[r] (a mini-batch).
export function gatherRows(dst: usize, src: usize, idx: usize, nIdx: i32, rowLen: i32): void {
  const bytes = <usize>rowLen << 2;
  for (let r = 0; r < nIdx; r++) {
    const from = <usize>load<i32>(idx + (<usize>r << 2));
    memory.copy(dst + <usize>r * bytes, src + from * bytes, bytes);
  }
}

// dst, src (rows, cols), perm (cols/fold) i32. With n = cols/fold slots per fold:
// dst[r, f·n + s] = src[r, f·n + perm[s]] (network slot s reads original feature perm[s], per fold).
export function gatherCols(dst: usize, src: usize, rows: i32, cols: i32, perm: usize, fold: i32): void {
  const n = cols / fold;
  for (let r = 0; r < rows; r++) {
    const base = (<usize>r * <usize>cols) << 2;
    for (let f = 0; f < fold; f++) {
      const group = base + (<usize>(f * n) << 2);
      for (let s = 0; s < n; s++) {
        const from = <usize>load<i32>(perm + (<usize>s << 2));
        store<f32>(dst + group + (<usize>s << 2), load<f32>(src + group + (from << 2)));
      }
    }
  }
}

// dst (B, fold·dim) ← emb (tokens, dim), tokens (B, fold) i32: dst[r, f·dim + c] = emb[tokens[r,f], c]
// (the concatenated token embeddings that form the network input).
export function embedGather(dst: usize, emb: usize, tokens: usize, B: i32, fold: i32, dim: i32): void {
  const bytes = <usize>dim << 2;
  const count = B * fold;
  for (let i = 0; i < count; i++) {
    const tok = <usize>load<i32>(tokens + (<usize>i << 2));
    memory.copy(dst + <usize>i * bytes, emb + tok * bytes, bytes);
  }
}

// gEmb (tokens, dim) += scatter of dx (B, fold·dim), tokens (B, fold) i32:
// gEmb[tokens[r,f], c] += dx[r, f·dim + c]. Rows are added in order r, f, so a token that appears
// several times always accumulates in the same order and the result is deterministic.
export function embedScatterAdd(gEmb: usize, dx: usize, tokens: usize, B: i32, fold: i32, dim: i32): void {
  const bytes = <usize>dim << 2;
  const d4 = dim & ~3;
  const count = B * fold;
  for (let i = 0; i < count; i++) {
    const dst = gEmb + <usize>load<i32>(tokens + (<usize>i << 2)) * bytes;
    const src = dx + <usize>i * bytes;
    let c = 0;
    for (; c < d4; c += 4) {
      const off = <usize>c << 2;
      v128.store(dst + off, f32x4.add(v128.load(dst + off), v128.load(src + off)));
    }
    for (; c < dim; c++) {
      const off = <usize>c << 2;
      store<f32>(dst + off, load<f32>(dst + off) + load<f32>(src + off));
    }
  }
}

// dst (n) = value (f32), e.g. zeroing a gradient before a scatter-add.
export function fill(dst: usize, n: i32, value: f32): void {
  const v = f32x4.splat(value);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) v128.store(dst + (<usize>i << 2), v);
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), value);
}
