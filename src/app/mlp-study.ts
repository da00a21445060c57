// One study run of the MLP family (docs/study.md protocol): train with the run's settings, discover
// circuits with every study method at the default τ and over the τ grid, time dense and circuit
// inference. Its record is plain data (src/study/types.ts).
import { circuitPoint, discoverSweep } from "../circuits/discover-sweep.ts";
import type { DiscoverOptions } from "../circuits/discover.ts";
import type { MetricName } from "../circuits/types.ts";
import type { Engine } from "../engine/engine.ts";
import { modelHash } from "../model/io.ts";
import { measureThroughput } from "../study/infer.ts";
import { RUN_FORMAT, STUDY_METHODS, STUDY_VERSION, type MethodRecord, type Phase, type RunRecord,
  type StudyMethod } from "../study/types.ts";
import { trainMlp } from "./mlp-family.ts";
import { modelMeta } from "./provenance.ts";
import type { StudyRunContext } from "./run-context.ts";
import type { MlpStudyRunSpec, StudyRunProgress } from "./specs.ts";

export async function studyRunMlp(spec: MlpStudyRunSpec, engine: Engine, ctx: StudyRunContext): Promise<RunRecord> {
  const { signal } = ctx;
  const report = (phase: Phase, done?: number, total?: number) => {
    const p: StudyRunProgress = { phase };
    if (done !== undefined) Object.assign(p, { done, total });
    ctx.onProgress?.(p);
  };
  const phase = async (name: Phase) => {
    report(name);
    // Discovery is synchronous: give the event loop a turn between phases so an abort (Ctrl-C) lands.
    await new Promise((r) => setTimeout(r, 0));
    signal?.throwIfAborted();
  };
  await phase("train");
  const trainSpec = { family: "mlp" as const, task: spec.task, mode: spec.mode, seed: spec.seed,
    settings: spec.settings, permuteAdam: false };
  let heapPeak = ctx.heapBytes?.();
  const { task, data, model, loop: trained } = await trainMlp(trainSpec, engine, { signal, progressEveryMs: ctx.progressEveryMs,
    onProgress: (s) => {
      if (heapPeak !== undefined) heapPeak = Math.max(heapPeak, ctx.heapBytes!());
      report("train", s.step, s.steps);
    } });
  try {
    signal?.throwIfAborted();
    const snapshot = model.toSnapshot(modelMeta(trainSpec, data, trained));
    const { tau, ablation, fraction, examples, grid } = spec.discovery;
    const methods = {} as Record<StudyMethod, MethodRecord>;
    let acdc: ReturnType<typeof circuitPoint> | undefined;
    for (const method of STUDY_METHODS) {
      await phase("discover");
      const opts: DiscoverOptions = { method, ablation, seed: spec.seed, examples, truth: task.groundTruth, signal };
      if (method === "eap-acdc") opts.fraction = fraction;
      // EAP keeps as many edges as ACDC kept at the same τ (src/study/types.ts says why)
      const size = (t: number): DiscoverOptions => method !== "eap" ? { tau: t } :
        { topK: t === tau ? acdc!.point.edges : methods.acdc.sweep.points.find((q) => q.tau === t)!.edges };
      const at = circuitPoint(model, data, { ...opts, ...size(tau) });
      acdc ??= at;
      const sweep = await discoverSweep(model, data, opts, grid, { signal,
        onProgress: (done, total) => report("discover", done, total) }, size);
      methods[method] = { method, metric: at.discovery.metric as MetricName, atDefault: at.point, sweep };
    }
    await phase("infer");
    const heldOut = data.test.n > 0 ? data.test : data.train;
    const inference = measureThroughput(model, acdc!.discovery.mask, heldOut.x, data.inputDim, spec.inference);
    if (heapPeak !== undefined) heapPeak = Math.max(heapPeak, ctx.heapBytes!());
    const m = trained.metrics;
    const record: RunRecord = {
      format: RUN_FORMAT,
      version: STUDY_VERSION,
      run: spec.run,
      task: task.name,
      kind: data.kind,
      mode: spec.mode,
      seed: spec.seed,
      stepScale: spec.stepScale,
      settings: spec.settings,
      discovery: { ablation, tau, grid, fraction, examples },
      train: {
        metric: m.metric,
        test: m.test,
        train: m.train,
        cost: m.cost,
        wireLength: m.wireLength,
        steps: trained.steps,
        swaps: trained.swaps,
        wallMs: trained.wallMs,
        stepsPerSecond: trained.stepsPerSecond,
        wasmBytes: trained.peakWasmBytes,
        wasmPeakInUse: engine.memoryStats.peak,
        ...(heapPeak !== undefined ? { jsHeapPeak: heapPeak } : {}),
        modelHash: modelHash(snapshot),
        curves: trained.curves,
      },
      methods,
      inference,
    };
    if (spec.keepModel) {
      record.model = snapshot;
      record.circuit = acdc!.discovery.circuit;
    }
    return record;
  } finally {
    model.dispose();
  }
}
