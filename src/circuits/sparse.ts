// Circuit inference as a sparse network: every weight layer in CSR form (rows = receivers), run by the
// csrMatmulT kernel (assembly/sparse.ts) on feature-major activations. It computes exactly what the
// dense model computes with its pruned weights set to zero (same bits, see GEMM_KC), at a cost that
// scales with the kept edges instead of all edges.
import { elementPtr, type Buf, type Engine } from "../engine/engine.ts";
import type { Mlp } from "../model/mlp.ts";
import { uploadInputs, type InputBuf } from "../model/pass.ts";
import type { ModelSpec } from "../model/spec.ts";
import type { EdgeMask } from "./types.ts";

/**
 * The K-slice width of assembly/gemm.ts (its KC). The dense GEMM sums each slice of 256 inputs from
 * zero and adds the slices in order; splitting every CSR row at the same boundaries reproduces that
 * rounding, so sparse and dense outputs are bit-identical (test/circuits/sparse.test.ts checks it).
 */
const GEMM_KC = 256;

/**
 * Examples per block: one csrMatmulT lane block; 32 × 784 transposed inputs are 100 KB, well inside
 * L2 (measured against 64 and 128 on the MNIST shape: fastest).
 */
const BLOCK = 32;

/** Checks that `mask` has one (out × in) layer per weight layer of `spec`. */
export function checkMask(spec: ModelSpec, mask: EdgeMask): void {
  const depth = spec.shape.length - 1;
  if (!Array.isArray(mask) || mask.length !== depth) {
    throw new Error(`edge mask: expected ${depth} layers for shape [${spec.shape}], got ${mask?.length}`);
  }
  for (let l = 0; l < depth; l++) {
    const want = spec.shape[l] * spec.shape[l + 1];
    if (!(mask[l] instanceof Uint8Array) || mask[l].length !== want) {
      throw new Error(`edge mask: layer ${l} must be a Uint8Array of ${spec.shape[l + 1]}×${spec.shape[l]} = ${want}`);
    }
  }
}

/** One K slice of a layer: the kept edges whose sender lies in [from, from + GEMM_KC) (original index). */
interface Slice {
  rowPtr: Buf<"i32">; // (rows + 1)
  colIdx: Buf<"i32">; // (nnz): the sender's row in the previous layer's compact activations
  vals: Buf; // (nnz)
}

interface SparseLayer {
  /** Receivers computed: the live ones (on some path to an output), in slot order. */
  rows: number;
  slices: Slice[];
  bias: Buf;
  /** Activations of one block (rows, lanes), feature-major. */
  y: Buf;
}

/**
 * Per neuron layer, the neurons whose value can reach an output through kept edges: every output,
 * and every other neuron with a kept edge into a live neuron. Everything else is never computed.
 */
function liveNeurons(shape: number[], mask: EdgeMask): Uint8Array[] {
  const depth = shape.length - 1;
  const live = shape.map((n) => new Uint8Array(n));
  live[depth].fill(1);
  for (let l = depth - 1; l >= 0; l--) {
    const nIn = shape[l];
    for (let j = 0; j < shape[l + 1]; j++) {
      if (!live[l + 1][j]) continue;
      for (let i = 0; i < nIn; i++) if (mask[l][j * nIn + i]) live[l][i] = 1;
    }
  }
  return live;
}

export class SparseNetwork {
  /** Kept edges the network evaluates: those on some path to an output (dangling edges are dropped). */
  readonly nnz: number;
  private readonly xT: Buf;
  private readonly stage: Buf | undefined; // embedding models: the looked-up input rows
  private readonly srcCol: Buf<"i32">; // the input column each row of xT reads
  private readonly outPerm: Buf<"i32">;
  private readonly out: Buf;
  private readonly embedding: Buf | undefined;

  private constructor(
    readonly engine: Engine,
    readonly spec: ModelSpec,
    private readonly layers: SparseLayer[],
    model: Mlp,
    liveInputs: Uint8Array,
    /** Examples per kernel call; inputs are processed in chunks of this size. */
    readonly rows: number,
  ) {
    const e = engine;
    this.nnz = layers.reduce((n, L) => n + L.slices.reduce((m, s) => m + s.vals.len, 0), 0);
    const { shape, inFold, embed } = spec;
    // Network input column f·n + s reads original column f·n + inPerm[s] (model/pass.ts); with an
    // embedding the looked-up rows are already in slot order.
    const n = shape[0] / inFold;
    const cols: number[] = [];
    for (let c = 0; c < shape[0]; c++) {
      if (liveInputs[c]) cols.push(embed ? c : c - (c % n) + model.inPerm[c % n]);
    }
    this.srcCol = e.from(cols, "i32");
    this.xT = e.alloc(Math.max(1, cols.length) * padded(Math.min(rows, BLOCK)));
    if (embed) {
      const at = model.layout.embedding;
      // a copy first: allocating may grow memory, which would detach a view of the parameters
      this.embedding = e.from(e.f32(model.params).slice(at, at + embed.tokens * embed.dim));
      this.stage = e.alloc(rows * shape[0]);
    }
    this.outPerm = e.from(model.outPerm, "i32");
    this.out = e.alloc(rows * shape[shape.length - 1]);
  }

  /**
   * The circuit `mask` of `model` as a sparse network. Weights, biases and perms are copied, so the
   * network stays valid if the model changes or is disposed.
   */
  static fromMask(model: Mlp, mask: EdgeMask, rows = 1024): SparseNetwork {
    const { spec, engine: e } = model;
    checkMask(spec, mask);
    if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`sparse network: rows must be ≥ 1, got ${rows}`);
    const { shape } = spec;
    const live = liveNeurons(shape, mask);
    // compact[l][i]: neuron i's row in layer l's computed activations
    const compact = live.map((v) => {
      let next = 0;
      return Int32Array.from(v, (on) => (on ? next++ : -1));
    });
    const params = e.read(model.params);
    const layers: SparseLayer[] = [];
    for (let l = 0; l < model.depth; l++) {
      const nIn = shape[l];
      const receivers = Array.from({ length: shape[l + 1] }, (_, j) => j).filter((j) => live[l + 1][j]);
      const w = params.subarray(model.layout.weight[l], model.layout.weight[l] + nIn * shape[l + 1]);
      const slices: Slice[] = [];
      for (let from = 0; from < nIn; from += GEMM_KC) {
        const to = Math.min(nIn, from + GEMM_KC);
        const rowPtr = new Int32Array(receivers.length + 1);
        const cols: number[] = [];
        const vals: number[] = [];
        receivers.forEach((j, r) => {
          for (let i = from; i < to; i++) {
            if (mask[l][j * nIn + i]) {
              cols.push(compact[l][i]);
              vals.push(w[j * nIn + i]);
            }
          }
          rowPtr[r + 1] = cols.length;
        });
        slices.push({ rowPtr: e.from(rowPtr, "i32"), colIdx: e.from(cols, "i32"), vals: e.from(vals) });
      }
      const b = params.subarray(model.layout.bias[l], model.layout.bias[l] + shape[l + 1]);
      const bias = e.from(receivers.map((j) => b[j]));
      const y = e.alloc(Math.max(1, receivers.length) * padded(Math.min(rows, BLOCK)));
      layers.push({ rows: receivers.length, slices, bias, y });
    }
    return new SparseNetwork(e, structuredClone(spec), layers, model, live[0], rows);
  }

  /**
   * Runs the circuit on every row of `x` (original feature order: n × d_in f32, or n × inFold token
   * ids for embedding models); returns n × d_out outputs in original output order, like `predict`.
   */
  forward(x: Float32Array | Int32Array): Float32Array {
    const { shape, inFold, embed } = this.spec;
    const width = embed ? inFold : shape[0];
    if (embed ? !(x instanceof Int32Array) : !(x instanceof Float32Array)) {
      throw new TypeError(`sparse network: inputs must be ${embed ? "Int32Array token ids" : "Float32Array features"}`);
    }
    if (x.length % width !== 0) {
      throw new RangeError(`sparse network: ${x.length} inputs is not a multiple of ${width}`);
    }
    const data = uploadInputs(this.engine, x, width);
    try {
      return this.forwardInputs(data);
    } finally {
      this.engine.free(data.buf);
    }
  }

  /** `forward` on inputs already in WASM memory (uploadInputs), e.g. to reuse one upload. */
  forwardInputs(data: InputBuf): Float32Array {
    const e = this.engine;
    const { shape, inFold, embed } = this.spec;
    if (data.tokens !== Boolean(embed) || data.width !== (embed ? inFold : shape[0])) {
      throw new TypeError(`sparse network: inputs of width ${data.width} (${data.tokens ? "tokens" : "features"}) ` +
        `do not fit shape [${shape}]${embed ? " with an embedding" : ""}`);
    }
    const dOut = shape[shape.length - 1];
    const result = new Float32Array(data.n * dOut);
    for (let start = 0; start < data.n; start += this.rows) {
      const count = Math.min(this.rows, data.n - start);
      this.run(data, start, count);
      result.set(e.f32(this.out).subarray(0, count * dOut), start * dOut);
    }
    return result;
  }

  /** Forward pass of rows start … start+count of `data` into `this.out`. */
  private run(data: InputBuf, start: number, count: number): void {
    const { k } = this.engine;
    const { shape, inFold, embed } = this.spec;
    // the network's input rows (count × d_in): the features themselves, or the looked-up embeddings
    let x0 = { buf: data.buf, row: start };
    if (embed && this.stage && this.embedding) {
      k.embedGather(this.stage.ptr, this.embedding.ptr, elementPtr(data.buf, start * inFold), count, inFold, embed.dim);
      x0 = { buf: this.stage, row: 0 };
    }
    // Block by block through the whole network: a block's transposed inputs (cols × BLOCK) and its
    // activations stay in cache from the transpose to the outputs.
    const dOut = shape[shape.length - 1];
    for (let b0 = 0; b0 < count; b0 += BLOCK) {
      const rows = Math.min(BLOCK, count - b0);
      const lanes = padded(rows);
      k.transposeGather(this.xT.ptr, elementPtr(x0.buf, (x0.row + b0) * shape[0]), rows, lanes, shape[0],
        this.srcCol.len, this.srcCol.ptr);
      let x = this.xT.ptr;
      this.layers.forEach((L, l) => {
        this.product(L, L.y.ptr, lanes, x, lanes);
        if (l + 1 < this.layers.length) k.siluForward(L.y.ptr, L.y.ptr, L.rows * lanes);
        x = L.y.ptr;
      });
      k.scatterTranspose(elementPtr(this.out, b0 * dOut), x, rows, lanes, dOut, this.outPerm.ptr);
    }
  }

  /** y = W·x + b for `lanes` examples (rows of stride `lanes`): one call per K slice, bias after the last. */
  private product(L: SparseLayer, y: number, lanes: number, x: number, ldx: number): void {
    L.slices.forEach((s, p) => {
      const last = p === L.slices.length - 1;
      this.engine.k.csrMatmulT(y, lanes, x, ldx, s.rowPtr.ptr, s.colIdx.ptr, s.vals.ptr, L.rows, lanes,
        p > 0 ? 1 : 0, last ? L.bias.ptr : 0);
    });
  }

  dispose(): void {
    const e = this.engine;
    for (const L of this.layers) {
      for (const s of L.slices) e.free(s.rowPtr, s.colIdx, s.vals);
      e.free(L.bias, L.y);
    }
    e.free(this.xT, this.stage, this.srcCol, this.outPerm, this.out, this.embedding);
  }
}

/** Examples per feature row: a whole number of v128 lanes. */
function padded(rows: number): number {
  return (rows + 3) & ~3;
}
