// Scalar transcendentals compiled into the module (AssemblyScript's musl-derived Mathf/Math), so
// data generation and initialisation give the same bits on every runtime, unlike JS Math.*.
export function expf(x: f32): f32 { return Mathf.exp(x); }
export function logf(x: f32): f32 { return Mathf.log(x); }
export function sinf(x: f32): f32 { return Mathf.sin(x); }
export function cosf(x: f32): f32 { return Mathf.cos(x); }
export function powf(x: f32, y: f32): f32 { return Mathf.pow(x, y); }
export function sigmoidf(x: f32): f32 { return 1.0 / (1.0 + Mathf.exp(-x)); }
export function exp64(x: f64): f64 { return Math.exp(x); }
export function log64(x: f64): f64 { return Math.log(x); }
export function sin64(x: f64): f64 { return Math.sin(x); }
export function cos64(x: f64): f64 { return Math.cos(x); }
export function pow64(x: f64, y: f64): f64 { return Math.pow(x, y); }
