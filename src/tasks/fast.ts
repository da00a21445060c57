import { taskNames } from "./index.ts";

/**
 * The tasks that train in seconds: what the page and the quick runtime checks offer. Every built-in task
 * but MNIST (784 pixel inputs, 40,000 reference steps).
 */
export const FAST_TASKS: readonly string[] = taskNames.filter((t) => t !== "mnist");
