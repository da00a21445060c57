// The attention-score check of the induction ground truth, on hand-made attention patterns.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { attentionScores, scoreAttention } from "../../src/model/attention-scores.ts";
import { Transformer } from "../../src/model/transformer.ts";
import { TransformerPass } from "../../src/model/transformer-pass.ts";

/** (n, H, T, T) probabilities where head h of sequence b puts all its mass on key(b, t, h). */
function pattern(n: number, H: number, T: number, key: (b: number, t: number, h: number) => number): Float32Array {
  const p = new Float32Array(n * H * T * T);
  for (let b = 0; b < n; b++) for (let h = 0; h < H; h++) for (let t = 0; t < T; t++) p[((b * H + h) * T + t) * T + key(b, t, h)] = 1;
  return p;
}

describe("scoreAttention", () => {
  // Two sequences of 8: segment [5, 6, 7] at 1 and its copy at 5 (sequence 0); at 0 and 4 (sequence 1).
  const T = 8;
  const x = Int32Array.from([0, 5, 6, 7, 1, 5, 6, 7, /**/ 5, 6, 7, 2, 5, 6, 7, 3]);
  const repeat = { first: Int32Array.from([1, 0]), copy: Int32Array.from([5, 4]), length: Int32Array.from([3, 3]) };
  const prevHead = (_b: number, t: number) => Math.max(0, t - 1);
  const self = (_b: number, t: number) => t;
  const induction = (b: number, t: number) => {
    const [p, c] = [repeat.first[b], repeat.copy[b]];
    return t >= c && t < c + 2 ? p + (t - c) + 1 : t;
  };

  it("scores a previous-token head 1, a self-attending head 0, and finds the heads above the threshold", () => {
    const layer0 = pattern(2, 2, T, (b, t, h) => (h === 0 ? prevHead(b, t) : self(b, t)));
    const layer1 = pattern(2, 2, T, (b, t, h) => (h === 1 ? induction(b, t) : self(b, t)));
    const r = scoreAttention([layer0, layer1], x, 2, T, 2, { repeat });
    expect(r.heads.map((h) => [h.layer, h.head, h.previousToken, h.induction])).toEqual([
      [0, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 0], [1, 1, 0, 1],
    ]);
    expect(r.previousTokenHeads.map((h) => `${h.layer}.${h.head}`)).toEqual(["0.0"]);
    expect(r.inductionHeads.map((h) => `${h.layer}.${h.head}`)).toEqual(["1.1"]);
    expect(r.inductionQueries).toBe(4); // copy tokens 0 and 1 of each sequence
  });

  it("averages partial attention: half the mass on the previous token scores 0.5", () => {
    const p = new Float32Array(1 * 1 * T * T);
    for (let t = 0; t < T; t++) {
      if (t === 0) p[0] = 1;
      else {
        p[t * T + t - 1] = 0.5;
        p[t * T + t] = 0.5;
      }
    }
    const r = scoreAttention([p], x.subarray(0, T), 1, T, 1);
    expect(r.heads[0].previousToken).toBeCloseTo(0.5, 12);
    expect(r.previousTokenHeads).toHaveLength(1); // 0.5 ≥ 0.4
  });

  it("without segment positions, counts every repeated token (its latest earlier occurrence + 1)", () => {
    // sequence 0: tokens 5, 6, 7 repeat at 5, 6, 7 → keys 2, 3, 4
    const keyOf = (_b: number, t: number) => (t >= 5 ? t - 3 : t);
    const r = scoreAttention([pattern(1, 1, T, keyOf)], x.subarray(0, T), 1, T, 1);
    expect(r.inductionQueries).toBe(3);
    expect(r.heads[0].induction).toBe(1);
  });

  it("refuses tokens that do not fit n × T", () => {
    expect(() => scoreAttention([new Float32Array(64)], x, 3, T, 1)).toThrow(/n × ctx = 3 × 8/);
  });
});

describe("attentionScores", () => {
  it("gives scoreAttention's result on the model's own attention probabilities", () => {
    const e = createEngineSync();
    const spec = { kind: "transformer", vocab: 9, outDim: 9, ctx: 8, dModel: 12, nHeads: 3, dHead: 4, nLayers: 2, dMlp: 0,
      norm: "layernorm", act: "gelu", positions: true, unembedBias: false } as const;
    const m = Transformer.init(e, spec, new Rng(1));
    const rng = new Rng(2);
    const n = 5;
    const x = Int32Array.from({ length: n * 8 }, () => rng.int(9));
    const got = attentionScores(m, x, n, { batch: 2 }); // chunks of 2, 2, 1
    const pass = new TransformerPass(m, n);
    e.i32(pass.tokens!).set(x);
    pass.forward();
    const want = scoreAttention([pass.attention(0), pass.attention(1)], x, n, 8, 3);
    pass.dispose();
    m.dispose();
    expect(got.inductionQueries).toBe(want.inductionQueries);
    got.heads.forEach((h, i) => {
      expect(h.previousToken).toBeCloseTo(want.heads[i].previousToken, 6);
      expect(h.induction).toBeCloseTo(want.heads[i].induction, 6);
    });
  });
});
