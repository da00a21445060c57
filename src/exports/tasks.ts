// brainwire/tasks: the built-in datasets (mnist loads the `mnist` package lazily, on first make()) and
// user data (src/tasks).
export { getTask, parseUserData, taskNames, userTask } from "../tasks/index.ts";
export { FAST_TASKS } from "../tasks/fast.ts";
export type { Dataset, LambdaPhase, LossKind, Split, Task, TaskKind, TrainSettings } from "../tasks/types.ts";
