// Plain-loop references for assembly/swap.ts (docs/training.md "Swaps"), in f64 and written as the
// spec states the formula. Shapes for a neuron layer of n positions: wIn, dIn (n, fanIn);
// wOut, dOut (fanOut, fold·n) with column f·n + s at position s. fanIn = 0 or fanOut = 0 skips a side.

/** f32 arrays mirror the kernel; f64 arrays keep exact values for finite-difference and brute-force checks. */
type Floats = Float32Array | Float64Array;

/** out (n)[j] = Σ_m |wIn[j,m]| + Σ_o Σ_f |wOut[o, f·n + j]|. */
export function importanceRef(wIn: Floats, fanIn: number, wOut: Floats, fanOut: number, n: number,
  fold: number, out: Floats): void {
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let m = 0; m < fanIn; m++) s += Math.abs(wIn[j * fanIn + m]);
    for (let o = 0; o < fanOut; o++) {
      for (let f = 0; f < fold; f++) s += Math.abs(wOut[o * fold * n + f * n + j]);
    }
    out[j] = s;
  }
}

/** out (n)[k] = change of sIn·Σ|wIn|·dIn + sOut·Σ|wOut|·dOut if positions j and k swap. */
export function swapScoresRef(wIn: Floats, dIn: Floats, fanIn: number, wOut: Floats,
  dOut: Floats, fanOut: number, n: number, fold: number, sIn: number, sOut: number, j: number,
  out: Floats): void {
  for (let k = 0; k < n; k++) {
    let incoming = 0;
    for (let m = 0; m < fanIn; m++) {
      const wj = Math.abs(wIn[j * fanIn + m]);
      const wk = Math.abs(wIn[k * fanIn + m]);
      incoming += wj * (dIn[k * fanIn + m] - dIn[j * fanIn + m]) + wk * (dIn[j * fanIn + m] - dIn[k * fanIn + m]);
    }
    let outgoing = 0;
    for (let o = 0; o < fanOut; o++) {
      for (let f = 0; f < fold; f++) {
        const row = o * fold * n + f * n;
        const wj = Math.abs(wOut[row + j]);
        const wk = Math.abs(wOut[row + k]);
        outgoing += wj * (dOut[row + k] - dOut[row + j]) + wk * (dOut[row + j] - dOut[row + k]);
      }
    }
    out[k] = sIn * incoming + sOut * outgoing;
  }
}
