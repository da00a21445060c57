// Edge patching on a transformer's circuit graph (graph.ts), and the full patched forward pass that the
// naive ACDC runs once per tested edge.
//
// Contributions (what a sender adds to the residual stream): embed = token embedding (or the input
// map, its bias included) + positional embedding; l.h.out = z_h·Wo_hᵀ (o's bias is not part of it: it
// is always present); l.mlp.out = the MLP's output, its output bias included. A receiver's input is its
// own copy of the stream: the sum, in forward order, of its upstream senders' contributions, each the
// current one where the edge is kept and the ablated one where it is removed, with o's bias of every
// earlier layer added after that layer's heads. The receiver's norm (ln1, ln2, lnf) is applied to its
// copy after patching. Ablated contributions come from the full, unpruned model: resample = the same
// sender on the corrupted input of the same sequence; mean = its mean over the clean discovery
// sequences, per position; zero = zeros. The fine graph's MLP-neuron edges patch a neuron's
// activation: the MLP's term in a receiver's copy is (a where kept, ã where removed)·W2ᵀ + b2.
import type { Buf, Engine } from "../../engine/engine.ts";
import type { Transformer } from "../../model/transformer.ts";
import type { Ablation } from "../types.ts";
import type { SeqDiscoveryData } from "./data.ts";
import type { GraphReceiver, TxGraph } from "./graph.ts";
import { TxOps } from "./ops.ts";
import { assemble, fixedTerm, SEL, SRC, TERM_WORDS, type SrcMode, type Term } from "./terms.ts";

/** Where a sender's values sit for one pass: its contribution and (MLPs, fine graph) its activations. */
export interface SenderSource {
  contrib: number;
  mode: SrcMode;
  /** MLP activations (rows × dMlp), for neuron edges; 0 when not needed. */
  acts: number;
  actsMode: SrcMode;
}

/** Uploads a discovery set's inputs (tokens i32, or vectors f32) for the passes. */
export function uploadInputs(e: Engine, x: Int32Array | Float32Array): Buf<"i32"> | Buf {
  return x instanceof Int32Array ? e.from(x, "i32") : e.from(x);
}

/**
 * The edge mask (1 = kept) with the ablated contributions, and the assembly of every receiver's input
 * copy from them. Owns the ablated values and the per-pair masks in WASM memory.
 */
export class Patching {
  /** 1 = kept, per edge of the graph. */
  readonly mask: Uint8Array;
  readonly ops: TxOps;
  readonly e: Engine;
  readonly N: number;
  /** Per sender: its ablated contribution (0 = zeros) and where its rows are. */
  readonly alt: { contrib: number; mode: SrcMode; acts: number; actsMode: SrcMode }[];
  private readonly owned: (Buf<"f32"> | Buf<"i32"> | Buf<"u8">)[] = [];
  /** Per receiver and sender: the pair's slice mask (1 = ablated), for position and fine edges. */
  private readonly pairMask: (Buf<"u8"> | null)[][];
  private readonly list: Buf<"i32">;
  private readonly mixActs: Buf | null;
  private readonly mixOut: Buf[];
  private readonly heads: number;

  constructor(
    readonly model: Transformer,
    readonly graph: TxGraph,
    /** Sequences × positions the passes run on. */
    readonly n: number,
    alt: Patching["alt"],
    altBufs: Buf[] = [],
  ) {
    this.e = model.engine;
    this.ops = new TxOps(model);
    this.N = n * graph.T;
    this.mask = new Uint8Array(graph.edges.length).fill(1);
    this.alt = alt;
    this.owned.push(...altBufs);
    this.heads = model.spec.nHeads;
    const fine = graph.granularity !== "component";
    this.pairMask = graph.pairEdges.map((row) => row.map((pe) => (fine && pe.length > 0 ? this.own(this.e.alloc(pe.length, "u8")) : null)));
    const terms = graph.senders.length + model.spec.nLayers + 1;
    this.list = this.own(this.e.alloc(terms * TERM_WORDS, "i32"));
    const needMix = graph.granularity === "fine" && model.spec.dMlp > 0;
    this.mixActs = needMix ? this.own(this.e.alloc(this.N * model.spec.dMlp, "f32")) : null;
    this.mixOut = needMix ? graph.senders.filter((s) => s.kind === "mlp").map(() => this.own(this.e.alloc(this.N * model.spec.dModel, "f32")))
      : [];
  }

  private own<T extends Buf<"f32"> | Buf<"i32"> | Buf<"u8">>(b: T): T {
    this.owned.push(b);
    return b;
  }

  /** Whether receiver r reads sender s's current values anywhere (some edge of the pair is kept). */
  readsCurrent(r: number, s: number): boolean {
    for (const e of this.graph.pairEdges[r][s]) if (this.mask[e]) return true;
    return false;
  }

  /** Whether sender s still reaches some receiver (one of its edges is kept). */
  hasOutgoing(s: number): boolean {
    for (const e of this.graph.outgoing[s]) if (this.mask[e]) return true;
    return false;
  }

  /**
   * dst (rows, d) = receiver r's input copy at global rows rowIdx (0: rows 0 … rows−1), from the senders'
   * current values `cur(s)` and their ablated ones.
   */
  assembleInput(dst: Buf, r: GraphReceiver, rows: number, rowIdx: number, cur: (s: number) => SenderSource): void {
    const terms: Term[] = [];
    const H = this.heads;
    let mix = 0;
    for (let s = 0; s < r.upstream; s++) {
      const sender = this.graph.senders[s];
      terms.push(this.term(r.index, s, cur(s), rows, rowIdx, sender.kind === "mlp" ? mix++ : -1));
      if (sender.kind === "head" && sender.head === H - 1) terms.push(fixedTerm(this.ops.outBias(sender.layer), SRC.one));
    }
    assemble(this.e, this.list, dst.ptr, rows, rowIdx, this.graph.T, this.ops.d, terms);
  }

  // The term of sender s in receiver r's copy. mixSlot: which MLP temp holds a neuron-mixed output.
  private term(r: number, s: number, src: SenderSource, rows: number, rowIdx: number, mixSlot: number): Term {
    const alt = this.alt[s];
    const edges = this.graph.pairEdges[r][s];
    const base = { cur: src.contrib, curMode: src.mode, alt: alt.contrib, altMode: alt.mode, mask: 0 };
    if (this.graph.granularity === "component") return { ...base, sel: this.mask[edges[0]] ? SEL.cur : SEL.alt };
    let removed = 0;
    for (const e of edges) removed += 1 - this.mask[e];
    if (removed === 0) return { ...base, sel: SEL.cur };
    if (removed === edges.length) return { ...base, sel: SEL.alt };
    const pm = this.pairMask[r][s]!;
    const bytes = this.e.u8(pm);
    edges.forEach((e, c) => (bytes[c] = 1 - this.mask[e]));
    if (this.graph.granularity === "position") return { ...base, sel: SEL.pos, mask: pm.ptr };
    if (this.graph.senders[s].kind !== "mlp") return { ...base, sel: SEL.col, mask: pm.ptr };
    // an MLP's neurons: mix its activations (kept: current, removed: ablated), then its output map
    const sender = this.graph.senders[s];
    const acts = this.mixActs!;
    const w = this.model.spec.dMlp;
    const mixTerm: Term = { cur: src.acts, curMode: src.actsMode, alt: alt.acts, altMode: alt.actsMode, sel: SEL.col, mask: pm.ptr };
    assemble(this.e, this.list, acts.ptr, rows, rowIdx, this.graph.T, w, [mixTerm]);
    const out = this.mixOut[mixSlot];
    this.ops.mlpOut(sender.layer, acts.ptr, rows, out);
    return fixedTerm(out.ptr, SRC.compact);
  }

  dispose(): void {
    this.e.free(...this.owned.splice(0));
  }
}

/** Buffers of one pass over N rows: contributions, per-head q/k/v/z, MLP activations, logits. */
export class FullPass {
  readonly contrib: Buf[];
  /** Per sender: the MLP's activations (N × dMlp), kept for neuron edges; null for other senders. */
  readonly acts: (Buf | null)[];
  readonly qkv: Buf[][][]; // [layer][head][q, k, v] (N × dh)
  readonly z: Buf[][];
  readonly logits: Buf;
  private readonly input: Buf;
  private readonly lnY: Buf;
  private readonly stats: { mean: Buf; rstd: Buf };
  private readonly u: Buf | null;
  private readonly scratch: Buf;
  private readonly e: Engine;
  private disposed = false;

  constructor(
    readonly ops: TxOps,
    readonly graph: TxGraph,
    readonly n: number,
    /** Keep every MLP's activations (the fine graph's neuron edges read them). */
    keepActs = graph.granularity === "fine",
  ) {
    const s = ops.model.spec;
    const e = (this.e = ops.model.engine);
    const N = n * graph.T;
    this.contrib = graph.senders.map(() => e.alloc(N * s.dModel));
    this.acts = graph.senders.map((x) => (x.kind === "mlp" && keepActs ? e.alloc(N * s.dMlp) : null));
    this.qkv = Array.from({ length: s.nLayers }, () => Array.from({ length: s.nHeads }, () => [0, 1, 2].map(() => e.alloc(N * s.dHead))));
    this.z = Array.from({ length: s.nLayers }, () => Array.from({ length: s.nHeads }, () => e.alloc(N * s.dHead)));
    this.logits = e.alloc(N * s.outDim);
    this.input = e.alloc(N * s.dModel);
    this.lnY = e.alloc(N * s.dModel);
    this.stats = { mean: e.alloc(N), rstd: e.alloc(N) };
    this.u = s.dMlp > 0 ? e.alloc(N * s.dMlp) : null;
    this.scratch = e.alloc(graph.T * graph.T);
  }

  /** Rows of the pass. */
  get N(): number {
    return this.n * this.graph.T;
  }

  /** The senders' values of this pass, for patching.assembleInput. */
  source = (s: number): SenderSource => ({ contrib: this.contrib[s].ptr, mode: SRC.rows, acts: this.acts[s]?.ptr ?? 0,
    actsMode: SRC.rows });

  /** The embedding of `input` (n sequences) into contrib[0]; constant for a discovery run. */
  embed(input: Buf<"i32"> | Buf): void {
    this.ops.embed(input, this.n, this.graph.T, this.contrib[0]);
  }

  /**
   * The patched forward pass over every row, from the embedding already in contrib[0]: each component in
   * forward order reads its receivers' copies (patching: the edge mask and ablated values, or null for
   * the full model: every receiver reads the plain stream); writes every contribution and the logits.
   */
  run(patching: Patching | null): Buf {
    if (this.disposed) throw new Error("transformer pass: used after dispose");
    const { ops, graph } = this;
    const s = ops.model.spec;
    const N = this.N;
    const full = patching ?? this.plain();
    let r = 0;
    const read = (rec: GraphReceiver) => full.assembleInput(this.input, rec, N, 0, this.source);
    for (let l = 0; l < s.nLayers; l++) {
      for (let h = 0; h < s.nHeads; h++) {
        for (let kind = 0 as 0 | 1 | 2; kind < 3; kind++) {
          read(graph.receivers[r++]);
          const x = ops.norm("ln1", l, this.input, this.lnY, this.stats, N);
          ops.project(l, h, kind, x, N, this.qkv[l][h][kind]);
        }
      }
      for (let h = 0; h < s.nHeads; h++) {
        const [q, k, v] = this.qkv[l][h];
        ops.k.txAttentionHead(q.ptr, s.dHead, k.ptr, s.dHead, v.ptr, s.dHead, this.z[l][h].ptr, s.dHead, 0, this.scratch.ptr,
          this.n, graph.T, s.dHead, ops.scale, 0, 0);
        ops.headOut(l, h, this.z[l][h], N, this.contrib[graph.receivers[r - 3 * s.nHeads + 3 * h].owner]);
      }
      if (this.u) {
        const rec = graph.receivers[r++];
        read(rec);
        const x = ops.norm("ln2", l, this.input, this.lnY, this.stats, N);
        const a = this.acts[rec.owner] ?? this.u;
        ops.mlpHidden(l, x, N, this.u, a);
        ops.mlpOut(l, a.ptr, N, this.contrib[rec.owner]);
      }
    }
    read(graph.receivers[r]);
    const x = ops.norm("lnf", 0, this.input, this.lnY, this.stats, N);
    ops.unembed(x, N, this.logits);
    if (!patching) full.dispose();
    return this.logits;
  }

  // every edge kept, no ablated values needed
  private plain(): Patching {
    return new Patching(this.ops.model, this.graph, this.n, this.graph.senders.map(() => ({ contrib: 0, mode: SRC.rows, acts: 0,
      actsMode: SRC.rows })));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const bufs = [...this.contrib, ...this.acts.filter((a): a is Buf => a !== null), ...this.qkv.flat(2), ...this.z.flat()];
    this.e.free(...bufs, this.logits, this.input, this.lnY, this.stats.mean, this.stats.rstd, this.u ?? undefined, this.scratch);
  }
}

/**
 * The ablated contributions of every sender (and MLP activations, for neuron edges), from the full model:
 * resample = a full pass on the corrupted inputs; mean = the clean pass's per-position mean over the
 * sequences (summed in f64, rounded once); zero = none. `clean` has run on the clean inputs.
 */
export function ablatedValues(ops: TxOps, graph: TxGraph, data: SeqDiscoveryData, ablation: Ablation, clean: FullPass):
  { alt: Patching["alt"]; bufs: Buf[] } {
  const e = ops.model.engine;
  const none = graph.senders.map(() => ({ contrib: 0, mode: SRC.rows as SrcMode, acts: 0, actsMode: SRC.rows as SrcMode }));
  if (ablation === "zero") return { alt: none, bufs: [] };
  const bufs: Buf[] = [];
  if (ablation === "resample") {
    const run = new FullPass(ops, graph, data.n);
    const input = uploadInputs(e, data.corrupted!);
    try {
      run.embed(input);
      run.run(null);
      const alt = graph.senders.map((_, s) => {
        const c = e.from(e.f32(run.contrib[s]));
        const a = run.acts[s] ? e.from(e.f32(run.acts[s]!)) : null;
        bufs.push(c, ...(a ? [a] : []));
        return { contrib: c.ptr, mode: SRC.rows as SrcMode, acts: a?.ptr ?? 0, actsMode: SRC.rows as SrcMode };
      });
      return { alt, bufs };
    } finally {
      run.dispose();
      e.free(input);
    }
  }
  const T = graph.T;
  const mean = (b: Buf, width: number): Buf => {
    const v = e.f32(b);
    const sum = new Float64Array(T * width);
    for (let q = 0; q < data.n; q++) for (let i = 0; i < T * width; i++) sum[i] += v[q * T * width + i];
    const out = e.from(sum.map((x) => x / data.n));
    bufs.push(out);
    return out;
  };
  const alt = graph.senders.map((_, s) => {
    const c = mean(clean.contrib[s], ops.d);
    const a = clean.acts[s] ? mean(clean.acts[s]!, ops.model.spec.dMlp) : null;
    return { contrib: c.ptr, mode: SRC.byPos as SrcMode, acts: a?.ptr ?? 0, actsMode: SRC.byPos as SrcMode };
  });
  return { alt, bufs };
}
