// Exact ACDC on the MNIST MLP (784-100-100-10, briefly trained), 1,000 held-out digits, each paired with
// another digit as its corrupted input: the kernel-speed acdc() against the naive reference (one full
// forward pass of the pruned network per tested edge), plus the PyTorch and tfjs anchors for naive ACDC
// (docs/benchmarks.md).
//
// The naive run is sampled: its candidates are the incoming edges of the first SAMPLE_RECEIVERS outputs
// (every other edge removed up front, which leaves the cost of its full forward passes unchanged); its
// time per test, taken between the first and the last sampled receiver so set-up is excluded, is
// extrapolated to the number of tests the full run makes. The sample also validates: on the same
// candidates acdc() must keep the same edges and reach the same metric, before the full run is timed.
import { acdc, type AcdcOptions } from "../../src/circuits/acdc.ts";
import { acdcNaive } from "../../src/circuits/acdc-naive.ts";
import { fullMask } from "../../src/circuits/graph.ts";
import type { DiscoveryData } from "../../src/circuits/types.ts";
import type { Engine } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Mlp } from "../../src/model/mlp.ts";
import { getTask } from "../../src/tasks/index.ts";
import { withOverrides } from "../../src/train/settings.ts";
import { train } from "../../src/train/trainer.ts";
import { timeOnce, validate, type Measure, type Suite } from "../harness.ts";

const SAMPLE_RECEIVERS = 4;
const CASES: Omit<AcdcOptions, "candidates">[] = [
  { tau: 1e-4, ablation: "resample", metric: "kl" },
  { tau: 1e-4, ablation: "zero", metric: "kl" },
  { tau: 1e-4, ablation: "mean", metric: "kl" },
];
// docs/benchmarks.md, naive ACDC at 1,000 examples: edge tests per second
const ANCHORS = { "tfjs-wasm naive": 51, "PyTorch naive (opt. BLAS est.)": 89_400 / 200 };

interface Setting {
  model: Mlp;
  data: DiscoveryData;
  name: string;
}

/** `n` digits of the held-out split, each paired with another of them (seeded) as its corrupted input. */
async function mnistSetting(engine: Engine, n: number, steps: number): Promise<Setting> {
  const task = getTask("mnist");
  const ds = await task.make(engine, 1);
  const settings = withOverrides(task.settings, { steps });
  const { model } = train(engine, ds, { mode: "vanilla", seed: 1, settings });
  n = Math.min(n, ds.test.n);
  const clean = (ds.test.x as Float32Array).slice(0, n * 784);
  return { model, data: paired(clean, (ds.test.y as Int32Array).slice(0, n), 784), name: "MNIST 784-100-100-10" };
}

/** Smoke: an untrained small MLP on random inputs (ACDC's decisions are exact whatever the weights). */
function tinySetting(engine: Engine): Setting {
  const rng = new Rng(5);
  const spec = { shape: [6, 5, 4, 3], layout: "grid" as const, inFold: 1 };
  const n = 24;
  const clean = Float32Array.from({ length: n * 6 }, () => rng.range(-1, 1));
  const labels = Int32Array.from({ length: n }, () => rng.int(3));
  return { model: Mlp.init(engine, spec, rng), data: paired(clean, labels, 6), name: "tiny 6-5-4-3" };
}

function paired(clean: Float32Array, labels: Int32Array, d: number): DiscoveryData {
  const n = labels.length;
  const perm = new Rng(2).permutation(n);
  const corrupted = new Float32Array(n * d);
  for (let k = 0; k < n; k++) corrupted.set(clean.subarray(perm[k] * d, (perm[k] + 1) * d), k * d);
  return { n, clean, corrupted, labels };
}

/** Only the incoming edges of the first `receivers` outputs. */
function sampleMask(model: Mlp, receivers: number) {
  const mask = fullMask(model.spec).map((m) => m.fill(0));
  const nIn = model.spec.shape[model.depth - 1];
  mask[model.depth - 1].fill(1, 0, receivers * nIn);
  return mask;
}

export const acdcSuite: Suite = {
  name: "acdc",
  async run(ctx) {
    const { model, data, name } = await ctx.choose({
      full: () => mnistSetting(ctx.engine, 1000, 2000),
      quick: () => mnistSetting(ctx.engine, 1000, 500),
      smoke: async () => tinySetting(ctx.engine),
    })();
    const receivers = Math.min(SAMPLE_RECEIVERS, model.spec.shape[model.depth]);
    try {
      for (const opts of ctx.choose({ full: CASES, quick: CASES.slice(0, 1), smoke: CASES.slice(0, 1) })) {
        const label = `${name}, ${data.n} ex, ${opts.metric}/${opts.ablation}, τ=${opts.tau}`;
        const candidates = sampleMask(model, receivers);
        const marks: number[] = [];
        const naive = acdcNaive(model, data, { ...opts, candidates, onProgress: (done) => {
          if (done === 1 || done === receivers) marks.push(performance.now());
        } });
        const check = acdc(model, data, { ...opts, candidates });
        const same = naive.mask.every((m, l) => m.every((v, e) => v === check.mask[l][e]));
        const metricGap = Math.abs(naive.metricValue - check.metricValue);
        validate(same && metricGap <= 1e-6 + 1e-4 * Math.abs(naive.metricValue),
          `acdc ${label}: optimised vs naive on the sampled edges`, `they disagree (metric gap ${metricGap})`);
        const sampled = (receivers - 1) * model.spec.shape[model.depth - 1];
        const perTest = (marks[1] - marks[0]) / sampled;
        const { value: full, measure } = timeOnce(() => acdc(model, data, opts));
        const extrapolated = (tests: number, perSecond?: number): Measure => ({
          ms: perSecond ? (1000 * tests) / perSecond : perTest * tests,
          samples: 0,
          rate: perSecond ? "anchor (docs/benchmarks.md)" : `sampled ${sampled} tests: ${perTest.toFixed(1)} ms each`,
        });
        ctx.add({
          suite: "acdc",
          case: label,
          // The algorithm's own time (its set-up excluded), stamped when the run began.
          ours: { ...measure, ms: full.ms, raw: [full.ms], rate: `${full.evaluations} tests, ${full.kept.length} edges kept` },
          baselines: {
            "naive (ours, extrapolated)": extrapolated(full.evaluations),
            ...Object.fromEntries(Object.entries(ANCHORS).map(([k, v]) => [k, extrapolated(full.evaluations, v)])),
          },
          targets: [
            { baseline: "naive (ours, extrapolated)", ratio: 100 },
            { baseline: "tfjs-wasm naive", ratio: 175 },
            { baseline: "PyTorch naive (opt. BLAS est.)", ratio: 20 },
          ],
        });
      }
    } finally {
      model.dispose();
    }
  },
};
