// The one door (docs/architecture.md, "src/app"): resolve raw input from any face into a run spec, run it,
// get plain data back. Faces import only this folder (and the pure formatting/drawing modules).
export { asUserError, fromZod, UserError } from "./user-error.ts";
export { VERSION } from "./version.ts";
export { DEFAULT_MEMORY_BUDGET, formatBytes } from "./budget.ts";
export { resolveTrain, mlpTrainKeys, DEFAULT_MODE, DEFAULT_TASK, type ResolveLimits, type TrainInput } from "./resolve-train.ts";
export { resolveDiscover, DEFAULT_EXAMPLES, type DiscoverInput } from "./resolve-discover.ts";
export { runDiscovery, runRequest, runScoring, runStudyRun, runTraining } from "./run.ts";
export type { MetricFunction, RunContext, StudyRunContext } from "./run-context.ts";
export { resolveStudyRun, studyRunSpecs, type StudyRunInput } from "./resolve-study.ts";
export { runStudy, type StudyHooks, type StudyOutcome } from "./study.ts";
export { registerFamily, type FamilyRunner } from "./families.ts";
export { findTask, registeredTaskNames, registeredTasks, registerTask, taskKind, type Family,
  type RegisteredTask } from "./registry.ts";
export type { DataInput, DataRecord, DataSpec, IdxData, TableData } from "./data-spec.ts";
export type * from "./specs.ts";
