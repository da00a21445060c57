// The study, run through the app layer: its plan (src/study) becomes one study-run spec per task × seed
// × mode, each run by runStudyRun, in order. Records leave through onRecord as each run ends, so an
// interrupted study keeps every finished run. (A job queue runs the same specs in parallel.)
import { checkConfig } from "../study/protocol.ts";
import type { RunRecord, StudyConfig, StudyProgress } from "../study/types.ts";
import { studyRunSpecs } from "./resolve-study.ts";
import { runStudyRun } from "./run.ts";

export interface StudyHooks {
  /** Called with each finished run, before the next starts; awaited. */
  onRecord(record: RunRecord): void | Promise<void>;
  onProgress?(p: StudyProgress): void;
  /** Bytes of JS heap in use, sampled during training (Node: process.memoryUsage().heapUsed). */
  heapBytes?(): number;
  signal?: AbortSignal;
}

export interface StudyOutcome {
  runs: RunRecord[];
  planned: number;
  aborted: boolean;
}

/** Runs the plan; on abort, stops at the next phase boundary and returns the finished runs. */
export async function runStudy(config: StudyConfig, hooks: StudyHooks): Promise<StudyOutcome> {
  checkConfig(config);
  const specs = studyRunSpecs(config);
  const runs: RunRecord[] = [];
  for (const spec of specs) {
    let record: RunRecord;
    try {
      // A fresh engine per run (runStudyRun's default), so its memory figures are this run's alone.
      record = await runStudyRun(spec, {
        signal: hooks.signal,
        heapBytes: hooks.heapBytes,
        onProgress: (p) => hooks.onProgress?.({ run: spec.run, runs: spec.runs, task: spec.task, mode: spec.mode,
          seed: spec.seed, ...p }),
      });
    } catch (err) {
      if (hooks.signal?.aborted) return { runs, planned: specs.length, aborted: true };
      throw err;
    }
    runs.push(record);
    await hooks.onRecord(record);
  }
  return { runs, planned: specs.length, aborted: false };
}
