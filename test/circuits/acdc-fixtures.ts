// Shared pieces of the ACDC tests: seeded random models and data, and the naive-vs-optimised comparison
// that tolerates a decision flip only at a near-tie and reports it.
import { expect } from "vitest";
import type { Engine } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Mlp } from "../../src/model/mlp.ts";
import type { ModelSpec } from "../../src/model/spec.ts";
import type { AcdcResult } from "../../src/circuits/acdc.ts";
import { edgeOrder, senderOrder } from "../../src/circuits/graph.ts";
import type { DiscoveryData } from "../../src/circuits/types.ts";

export function randomModel(engine: Engine, spec: Partial<ModelSpec> & { shape: number[] }, seed: number): Mlp {
  return Mlp.init(engine, { layout: "line", inFold: 1, ...spec }, new Rng(seed));
}

/**
 * n examples of uniform features in [−2, 2) with about a third exactly zero (so the kernels' zero-delta
 * skipping is exercised, as on MNIST), a corrupted partner for each, and random labels.
 */
export function randomData(model: Mlp, n: number, seed: number): DiscoveryData {
  const rng = new Rng(seed);
  const { shape, embed, inFold } = model.spec;
  const dOut = shape[shape.length - 1];
  const labels = Int32Array.from({ length: n }, () => rng.int(dOut));
  if (embed) {
    const tokens = () => Int32Array.from({ length: n * inFold }, () => rng.int(embed.tokens));
    return { n, clean: tokens(), corrupted: tokens(), labels };
  }
  const x = () => Float32Array.from({ length: n * shape[0] }, () => (rng.uniform() < 0.35 ? 0 : rng.range(-2, 2)));
  return { n, clean: x(), corrupted: x(), labels };
}

export interface Tolerance {
  atol: number;
  rtol: number;
}

export interface Agreement {
  /** Tests compared before the runs diverged (or all). */
  compared: number;
  /** Largest |Δ_fast − Δ_naive| seen. */
  maxDiff: number;
  /** Near-ties where the two runs decided differently (the comparison stops at the first). */
  ties: string[];
}

/**
 * Walks the tests in order (each unit: the edges one test removes, all carrying the same Δ) and checks
 * that both runs tested the same units with Δ within tolerance and made the same decisions. A
 * different decision is allowed only where |Δ − τ| is within the tolerance: it is reported, and the
 * walk stops there because the two runs continue from different circuits.
 */
export function expectAgreement(units: [number, number][][], naive: AcdcResult, fast: AcdcResult, tau: number,
  tol: Tolerance, label: string): Agreement {
  const out: Agreement = { compared: 0, maxDiff: 0, ties: [] };
  const bound = (d: number) => tol.atol + tol.rtol * Math.abs(d);
  for (const unit of units) {
    const [l, e] = unit.find(([l, e]) => !Number.isNaN(naive.deltas[l][e])) ?? unit[0];
    const dn = naive.deltas[l][e];
    const df = fast.deltas[l][e];
    expect(Number.isNaN(df), `${label}: edge ${l}:${e} tested by one run only (naive Δ ${dn}, fast Δ ${df})`)
      .toBe(Number.isNaN(dn));
    if (Number.isNaN(dn)) continue;
    const keepN = naive.mask[l][e] === 1;
    const keepF = fast.mask[l][e] === 1;
    if (keepN !== keepF) {
      if (Math.abs(dn - tau) <= bound(dn)) {
        out.ties.push(`${label}: edge ${l}:${e} Δ naive ${dn} fast ${df} τ ${tau}`);
        return out;
      }
      throw new Error(`${label}: edge ${l}:${e} decided differently away from a tie: ` +
        `Δ naive ${dn} fast ${df} τ ${tau}`);
    }
    const diff = Math.abs(df - dn);
    out.maxDiff = Math.max(out.maxDiff, diff);
    expect(diff, `${label}: Δ of edge ${l}:${e}: naive ${dn} fast ${df}`).toBeLessThanOrEqual(bound(dn));
    out.compared++;
  }
  naive.mask.forEach((m, l) => expect(Array.from(fast.mask[l]), `${label}: mask ${l}`).toEqual(Array.from(m)));
  expect(Math.abs(fast.metricValue - naive.metricValue), `${label}: final metric`)
    .toBeLessThanOrEqual(bound(naive.metricValue));
  return out;
}

/** Edge-level tests in ACDC's order: one unit per edge. */
export function edgeUnits(spec: ModelSpec): [number, number][][] {
  return edgeOrder(spec).map((e) => [e]);
}

/** Neuron-level tests in order: one unit per sender neuron, its outgoing edges. */
export function neuronUnits(spec: ModelSpec): [number, number][][] {
  return senderOrder(spec).map(({ layer, index }) => {
    const nIn = spec.shape[layer];
    return Array.from({ length: spec.shape[layer + 1] }, (_, j): [number, number] => [layer, j * nIn + index]);
  });
}

/** Kept edges / all edges. */
export function keptFraction(r: AcdcResult): number {
  let kept = 0;
  let all = 0;
  for (const m of r.mask) {
    all += m.length;
    for (const v of m) kept += v;
  }
  return kept / all;
}
