// brainwire/study: the study (its protocol and settings are ours; docs/): runs, tables, verdicts, reports.
export { defaultConfig, planRuns, scaleSteps, wasmVersion } from "../study/protocol.ts";
export { runStudy, type StudyHooks, type StudyOutcome } from "../app/study.ts";
export { studyDocument, toCsv, toMarkdown } from "../study/report.ts";
export type { Environment, RunRecord, StudyConfig, StudyProgress } from "../study/types.ts";
export { reportHtml } from "../viz/report-html.ts";
