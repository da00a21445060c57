// Plain-loop references for assembly/data.ts: batches, the input slot permutation, the embedding.

/** dst (nIdx,rowLen) row r = src row idx[r]. */
export function gatherRowsRef(dst: Float32Array, src: Float32Array, idx: Int32Array, nIdx: number,
  rowLen: number): void {
  for (let r = 0; r < nIdx; r++) dst.set(src.subarray(idx[r] * rowLen, (idx[r] + 1) * rowLen), r * rowLen);
}

/** dst, src (rows,cols), perm (cols/fold): dst[r, f·n + s] = src[r, f·n + perm[s]], n = cols/fold. */
export function gatherColsRef(dst: Float32Array, src: Float32Array, rows: number, cols: number, perm: Int32Array,
  fold: number): void {
  const n = cols / fold;
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < fold; f++) {
      for (let s = 0; s < n; s++) dst[r * cols + f * n + s] = src[r * cols + f * n + perm[s]];
    }
  }
}

/** dst (B, fold·dim)[r, f·dim + c] = emb (·,dim)[tokens (B,fold)[r,f], c]. */
export function embedGatherRef(dst: Float32Array, emb: Float32Array, tokens: Int32Array, B: number, fold: number,
  dim: number): void {
  for (let i = 0; i < B * fold; i++) dst.set(emb.subarray(tokens[i] * dim, (tokens[i] + 1) * dim), i * dim);
}

/** gEmb (·,dim)[tokens[r,f], c] += dx (B, fold·dim)[r, f·dim + c], in order r, f. */
export function embedScatterAddRef(gEmb: Float32Array, dx: Float32Array, tokens: Int32Array, B: number,
  fold: number, dim: number): void {
  for (let i = 0; i < B * fold; i++) {
    for (let c = 0; c < dim; c++) gEmb[tokens[i] * dim + c] += dx[i * dim + c];
  }
}

/** dst (n) = value. */
export function fillRef(dst: Float32Array | Float64Array, n: number, value: number): void {
  dst.fill(value, 0, n);
}
