// The job table every worker serves: kind → run function. Specs and results are plain JSON, so a job
// runs the same in this thread, in a worker thread or on another machine. Specs arrive resolved (the
// app layer's resolveTrain / resolveDiscover ran where the input came in).
//   train      TrainSpec      → TrainResult (src/app/specs.ts)
//   discover   DiscoverSpec   → DiscoverResult
import { runDiscovery, runTraining } from "../app/index.ts";
import type { JobTable } from "./types.ts";

export const JOB_TABLE = {
  train: runTraining,
  discover: runDiscovery,
} satisfies JobTable;

export type JobKind = keyof typeof JOB_TABLE;
