// Which heads do what, read from the attention probabilities alone (independently of any circuit
// discovery): the ground truth for the induction task (Olsson et al. 2022).
//   previous-token score of a head: mean attention from position t to t − 1 (t ≥ 1);
//   induction score: mean attention from a repeated token to the token right after its earlier
//   occurrence.
// Which repeats count (ours): with the task's segment positions (SeqSplit.repeat), the query positions
// are the copy's tokens 0 … L−2 (exactly the positions the induction loss counts: each predicts the next
// copy token), each attending to first + i + 1. Without them, every position whose token occurred
// before counts, attending to the position after the token's latest earlier occurrence.
import type { Transformer } from "./transformer.ts";
import { TransformerPass } from "./transformer-pass.ts";

export interface HeadScore {
  layer: number;
  head: number;
  previousToken: number;
  induction: number;
}

export interface AttentionScores {
  /** Every head, layer by layer, heads ascending. */
  heads: HeadScore[];
  /** Heads whose previous-token score reaches the threshold, by layer then head. */
  previousTokenHeads: HeadScore[];
  /** Heads whose induction score reaches the threshold. */
  inductionHeads: HeadScore[];
  threshold: number;
  /** Query positions the induction score averaged over (0: no repeats, every induction score is NaN). */
  inductionQueries: number;
}

export interface AttentionScoreOptions {
  /** The segment positions of each sequence (an induction split's `repeat`). */
  repeat?: { first: Int32Array; copy: Int32Array; length: Int32Array };
  /**
   * A head "is" a previous-token / induction head from this score on (default 0.4, ours: most of its
   * attention where the mechanism needs it; uniform causal attention over ctx 24 scores ≈ 0.12).
   */
  threshold?: number;
  /** Sequences per forward pass (default: as many as fit 4096 positions). */
  batch?: number;
}

/** Scores every head of a token model on n sequences x (n·ctx token ids): runs the forward passes. */
export function attentionScores(model: Transformer, x: Int32Array, n: number, opts: AttentionScoreOptions = {}): AttentionScores {
  const s = model.spec;
  if (s.vocab === undefined) throw new Error("attention scores: the model reads vectors, not tokens");
  const T = s.ctx;
  checkTokens(x, n, T);
  const sums = new ScoreSums(s.nLayers, s.nHeads, T, opts.repeat);
  const batch = Math.max(1, Math.min(n, opts.batch ?? Math.floor(4096 / T)));
  const pass = new TransformerPass(model, batch);
  const e = model.engine;
  try {
    for (let start = 0; start < n; start += batch) {
      const count = Math.min(batch, n - start);
      e.i32(pass.tokens!).set(x.subarray(start * T, (start + count) * T));
      pass.forward(count);
      const probs = pass.layers.map((L) => e.f32(L.probs));
      for (let b = 0; b < count; b++) sums.add(probs, b, start + b, x.subarray((start + b) * T, (start + b + 1) * T));
    }
  } finally {
    pass.dispose();
  }
  return sums.result(opts.threshold ?? DEFAULT_THRESHOLD);
}

/**
 * The same scores from attention probabilities already computed: probs[l] is layer l's (n, H, T, T)
 * (a pass's `attention(l)`), x the n·T tokens.
 */
export function scoreAttention(probs: ArrayLike<number>[], x: Int32Array, n: number, T: number, H: number,
  opts: AttentionScoreOptions = {}): AttentionScores {
  checkTokens(x, n, T);
  probs.forEach((p, l) => {
    if (p.length < n * H * T * T) throw new Error(`attention scores: layer ${l} holds ${p.length} probabilities, expected n·H·T·T = ${n * H * T * T}`);
  });
  const sums = new ScoreSums(probs.length, H, T, opts.repeat);
  for (let b = 0; b < n; b++) sums.add(probs, b, b, x.subarray(b * T, (b + 1) * T));
  return sums.result(opts.threshold ?? DEFAULT_THRESHOLD);
}

const DEFAULT_THRESHOLD = 0.4;

class ScoreSums {
  private readonly prev: Float64Array;
  private readonly ind: Float64Array;
  private prevCount = 0;
  private indCount = 0;
  private readonly pairs: number[] = [];

  constructor(
    private readonly L: number,
    private readonly H: number,
    private readonly T: number,
    private readonly repeat: AttentionScoreOptions["repeat"],
  ) {
    this.prev = new Float64Array(L * H);
    this.ind = new Float64Array(L * H);
  }

  // sequence `seq` of the data sits at index b of the probability arrays
  add(probs: ArrayLike<number>[], b: number, seq: number, tokens: Int32Array): void {
    const { H, T } = this;
    const q = this.pairs;
    inductionPairs(tokens, seq, this.repeat, q);
    this.prevCount += T - 1;
    this.indCount += q.length / 2;
    for (let l = 0; l < this.L; l++) {
      const p = probs[l];
      for (let h = 0; h < H; h++) {
        const base = (b * H + h) * T * T;
        let sp = 0;
        for (let t = 1; t < T; t++) sp += p[base + t * T + t - 1];
        let si = 0;
        for (let i = 0; i < q.length; i += 2) si += p[base + q[i] * T + q[i + 1]];
        this.prev[l * H + h] += sp;
        this.ind[l * H + h] += si;
      }
    }
  }

  result(threshold: number): AttentionScores {
    const heads: HeadScore[] = [];
    for (let l = 0; l < this.L; l++) {
      for (let h = 0; h < this.H; h++) {
        heads.push({
          layer: l,
          head: h,
          previousToken: this.prevCount > 0 ? this.prev[l * this.H + h] / this.prevCount : NaN,
          induction: this.indCount > 0 ? this.ind[l * this.H + h] / this.indCount : NaN,
        });
      }
    }
    return {
      heads,
      previousTokenHeads: heads.filter((h) => h.previousToken >= threshold),
      inductionHeads: heads.filter((h) => h.induction >= threshold),
      threshold,
      inductionQueries: this.indCount,
    };
  }
}

function checkTokens(x: Int32Array, n: number, T: number): void {
  if (!Number.isInteger(n) || n < 1 || x.length !== n * T) {
    throw new Error(`attention scores: x must hold n × ctx = ${n} × ${T} tokens, got ${x.length}`);
  }
}

// out ← flat (query, key) pairs of one sequence's induction positions
function inductionPairs(tokens: Int32Array, seq: number, repeat: AttentionScoreOptions["repeat"], out: number[]): void {
  out.length = 0;
  const T = tokens.length;
  if (repeat) {
    const p = repeat.first[seq];
    const c = repeat.copy[seq];
    for (let i = 0; i + 1 < repeat.length[seq] && c + i < T; i++) out.push(c + i, p + i + 1);
    return;
  }
  for (let t = 1; t < T; t++) {
    for (let s = t - 1; s >= 0; s--) {
      if (tokens[s] === tokens[t]) {
        if (s + 1 < t) out.push(t, s + 1);
        break;
      }
    }
  }
}
