// Kernel family 'layernorm': LayerNorm over the last dimension, forward and backward (GPT-2's ln_1,
// ln_2, ln_f). Host signatures: src/engine/abi/transformer.ts; plain-TS reference:
// src/engine/reference/layernorm.ts. Rows are contiguous (row stride = d), f32.
//
//   μ = mean(x), σ² = mean((x − μ)²) (biased, as PyTorch), rstd = 1/√(σ² + eps)
//   y = (x − μ)·rstd·g + b
// Sums run four lanes at a time, lanes combined as (l0 + l1) + (l2 + l3), then the tail in order: the
// order depends only on d.

// @ts-ignore: decorator
@inline function hsum4(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// y (rows,d) = LayerNorm(x (rows,d)) with gain g (d) and shift b (d); mean, rstd (rows) are kept for
// the backward pass. y may alias x.
export function layerNormForward(y: usize, x: usize, g: usize, b: usize, mean: usize, rstd: usize,
  rows: i32, d: i32, eps: f32): void {
  const d4 = d & ~3;
  const rowBytes = <usize>d << 2;
  const invD = <f32>1.0 / <f32>d;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = y + <usize>r * rowBytes;
    let acc = f32x4.splat(0);
    let c = 0;
    for (; c < d4; c += 4) acc = f32x4.add(acc, v128.load(xr + (<usize>c << 2)));
    let s = hsum4(acc);
    for (; c < d; c++) s += load<f32>(xr + (<usize>c << 2));
    const mu = s * invD;
    const mu4 = f32x4.splat(mu);
    acc = f32x4.splat(0);
    c = 0;
    for (; c < d4; c += 4) {
      const t = f32x4.sub(v128.load(xr + (<usize>c << 2)), mu4);
      acc = f32x4.add(acc, f32x4.mul(t, t));
    }
    let v = hsum4(acc);
    for (; c < d; c++) {
      const t = load<f32>(xr + (<usize>c << 2)) - mu;
      v += t * t;
    }
    const rs = <f32>1.0 / Mathf.sqrt(v * invD + eps);
    store<f32>(mean + (<usize>r << 2), mu);
    store<f32>(rstd + (<usize>r << 2), rs);
    const rs4 = f32x4.splat(rs);
    c = 0;
    for (; c < d4; c += 4) {
      const o = <usize>c << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(xr + o), mu4), rs4);
      v128.store(yr + o, f32x4.add(f32x4.mul(xh, v128.load(g + o)), v128.load(b + o)));
    }
    for (; c < d; c++) {
      const o = <usize>c << 2;
      const xh = (load<f32>(xr + o) - mu) * rs;
      store<f32>(yr + o, xh * load<f32>(g + o) + load<f32>(b + o));
    }
  }
}

// Backward of layerNormForward. With x̂ = (x − μ)·rstd and ĝ = dy ⊙ g:
//   dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂))   (written, or added onto dx when accumulate)
//   dg = Σ_rows dy ⊙ x̂,  db = Σ_rows dy          (overwritten; rows summed in order)
// dy, x (rows,d); g, dg, db (d); mean, rstd (rows) from the forward pass. dx must not alias dy or x.
export function layerNormBackward(dx: usize, dy: usize, x: usize, g: usize, mean: usize, rstd: usize,
  dg: usize, db: usize, rows: i32, d: i32, accumulate: i32): void {
  const d4 = d & ~3;
  const rowBytes = <usize>d << 2;
  const invD = <f32>1.0 / <f32>d;
  memory.fill(dg, 0, rowBytes);
  memory.fill(db, 0, rowBytes);
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const dyr = dy + <usize>r * rowBytes;
    const dxr = dx + <usize>r * rowBytes;
    const mu = load<f32>(mean + (<usize>r << 2));
    const rs = load<f32>(rstd + (<usize>r << 2));
    const mu4 = f32x4.splat(mu);
    const rs4 = f32x4.splat(rs);
    // pass 1: Σĝ, Σĝx̂, and dg, db
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let c = 0;
    for (; c < d4; c += 4) {
      const o = <usize>c << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(xr + o), mu4), rs4);
      const dyv = v128.load(dyr + o);
      const gh = f32x4.mul(dyv, v128.load(g + o));
      a1 = f32x4.add(a1, gh);
      a2 = f32x4.add(a2, f32x4.mul(gh, xh));
      v128.store(dg + o, f32x4.add(v128.load(dg + o), f32x4.mul(dyv, xh)));
      v128.store(db + o, f32x4.add(v128.load(db + o), dyv));
    }
    let s1 = hsum4(a1);
    let s2 = hsum4(a2);
    for (; c < d; c++) {
      const o = <usize>c << 2;
      const xh = (load<f32>(xr + o) - mu) * rs;
      const dyv = load<f32>(dyr + o);
      const gh = dyv * load<f32>(g + o);
      s1 += gh;
      s2 += gh * xh;
      store<f32>(dg + o, load<f32>(dg + o) + dyv * xh);
      store<f32>(db + o, load<f32>(db + o) + dyv);
    }
    const m1 = s1 * invD;
    const m2 = s2 * invD;
    const m14 = f32x4.splat(m1);
    const m24 = f32x4.splat(m2);
    // pass 2: dx
    c = 0;
    for (; c < d4; c += 4) {
      const o = <usize>c << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(xr + o), mu4), rs4);
      const gh = f32x4.mul(v128.load(dyr + o), v128.load(g + o));
      let v = f32x4.mul(rs4, f32x4.sub(f32x4.sub(gh, m14), f32x4.mul(xh, m24)));
      if (accumulate) v = f32x4.add(v128.load(dxr + o), v);
      v128.store(dxr + o, v);
    }
    for (; c < d; c++) {
      const o = <usize>c << 2;
      const xh = (load<f32>(xr + o) - mu) * rs;
      const gh = load<f32>(dyr + o) * load<f32>(g + o);
      let v = rs * ((gh - m1) - xh * m2);
      if (accumulate) v = load<f32>(dxr + o) + v;
      store<f32>(dxr + o, v);
    }
  }
}
