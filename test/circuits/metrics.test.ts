// The discovery metrics against small cases computed by hand (f64 in the test; the kernel's exp/log run in
// WASM, so the tolerance is a few f64 ulps of the inputs' f32 rounding).
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { metricValue } from "../../src/circuits/metrics.ts";
import type { DiscoveryData, MetricName } from "../../src/circuits/types.ts";
import { expectScalarClose } from "../helpers/expect-close.ts";
import { randomModel } from "./acdc-fixtures.ts";

const engine = createEngineSync();
const tol = { atol: 1e-12, rtol: 1e-9 };

/** A model with d_out outputs; only its output count and outPerm matter here. */
function outputs(dOut: number, outPerm?: number[]) {
  const m = randomModel(engine, { shape: [2, dOut] }, 1);
  if (outPerm) m.outPerm.set(outPerm);
  return m;
}

const data = (n: number, labels?: number[]): DiscoveryData => ({
  n, clean: new Float32Array(2 * n), labels: labels ? Int32Array.from(labels) : undefined,
});

function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

const f32 = (xs: number[]) => Float32Array.from(xs);
interface Case {
  labels?: number[];
  outputs?: number[];
  perm?: number[];
}
const value = (dOut: number, metric: MetricName, yFull: number[], y: number[], c: Case = {}) =>
  metricValue(outputs(dOut, c.perm), data(yFull.length / dOut, c.labels), metric, f32(yFull), f32(y), c.outputs);

describe("kl", () => {
  it("is KL(p_full ‖ p_circuit) of the softmax outputs, averaged over examples", () => {
    // example 0: p = (1/3, 2/3), q = (1/2, 1/2); example 1: identical outputs, KL 0
    const ln2 = Math.fround(Math.LN2);
    const p = softmax([0, ln2]);
    const want = (p[0] * Math.log(p[0] / 0.5) + p[1] * Math.log(p[1] / 0.5)) / 2;
    expectScalarClose(value(2, "kl", [0, ln2, 1, -1], [0, 0, 1, -1]), want, tol, "kl");
    expect(Math.abs(want - (Math.log(2 / 3) / 3 + (2 / 3) * Math.log(4 / 3)) / 2)).toBeLessThan(1e-7);
  });

  it("is zero for the full model's own outputs", () => {
    expect(Math.abs(value(3, "kl", [0.3, -2, 5, 1, 1, 1], [0.3, -2, 5, 1, 1, 1]))).toBeLessThan(1e-15);
  });

  it("restricted to outputs S, compares the distributions over S plus one class for the rest", () => {
    const yf = [1, 0.5, -1].map(Math.fround);
    const y = [0.2, 1.5, -0.5].map(Math.fround);
    const p = softmax(yf);
    const q = softmax(y);
    const coarseP = [p[0], p[1] + p[2]];
    const coarseQ = [q[0], q[1] + q[2]];
    const want = coarseP.reduce((s, pi, i) => s + pi * Math.log(pi / coarseQ[i]), 0);
    expectScalarClose(value(3, "kl", yf, y, { outputs: [0] }), want, tol, "kl on output 0");
    // the subset names original outputs: with slots holding outputs (2, 0, 1), output 0 sits in slot 1
    const yfSlots = [yf[2], yf[0], yf[1]];
    const ySlots = [y[2], y[0], y[1]];
    const got = value(3, "kl", yfSlots, ySlots, { outputs: [0], perm: [2, 0, 1] });
    expectScalarClose(got, want, tol, "kl through outPerm");
  });
});

describe("mse", () => {
  it("is the mean squared difference to the full outputs, over the chosen outputs", () => {
    const yf = [1, 2, 3, 4];
    const y = [1.5, 2, 2, 4.25];
    expectScalarClose(value(2, "mse", yf, y), (0.25 + 0 + 1 + 0.0625) / 4, tol, "mse");
    expectScalarClose(value(2, "mse", yf, y, { outputs: [1] }), (0 + 0.0625) / 2, tol, "mse on output 1");
  });
});

describe("task metrics", () => {
  it("nll is −log softmax(y)[label], over the examples whose label is in S", () => {
    const y = [2, 0, -1, 0.5, 0.5, 3].map(Math.fround);
    const labels = [0, 2];
    const nll = (r: number) => -Math.log(softmax(y.slice(3 * r, 3 * r + 3))[labels[r]]);
    expectScalarClose(value(3, "nll", y, y, { labels }), (nll(0) + nll(1)) / 2, tol, "nll");
    expectScalarClose(value(3, "nll", y, y, { labels, outputs: [2] }), nll(1), tol, "nll on class 2");
  });

  it("logit-diff is −(label logit − the largest other logit)", () => {
    const y = [2, 0, -1, 0.5, 0.75, 3];
    expectScalarClose(value(3, "logit-diff", y, y, { labels: [0, 1] }), (-(2 - 0) - (0.75 - 3)) / 2, tol, "logit-diff");
  });

  it("rejects bad input with clear errors", () => {
    expect(() => value(2, "nll", [0, 0], [0, 0])).toThrow(/needs class labels/);
    expect(() => value(2, "nll", [0, 0], [0, 0], { labels: [1], outputs: [0] })).toThrow(/no example has a label/);
    expect(() => value(2, "kl", [0, 0], [0, 0], { outputs: [] })).toThrow(/subset is empty/);
    expect(() => value(2, "kl", [0, 0], [0, 0], { outputs: [2] })).toThrow(/not an output index/);
    expect(() => value(1, "kl", [0], [0])).toThrow(/at least two outputs/);
    expect(() => value(2, "bogus" as MetricName, [0, 0], [0, 0])).toThrow(/unknown metric "bogus"/);
  });
});
