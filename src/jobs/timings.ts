// What may differ between two runs of the same seeded job: the fields that measure time (or sample the
// JS heap). Everything else in a result or a study record is the same bits wherever and beside whatever
// the job ran; the tests compare results through withoutTimings.

/** Field names that measure time or a sampled heap, at any depth of a result or record. */
export const TIMING_FIELDS = ["ms", "timeMs", "wallMs", "stepsPerSecond", "jsHeapPeak", "denseSamplesPerSecond",
  "circuitSamplesPerSecond"] as const;

/** A copy of a JSON value without its timing fields, at any depth. */
export function withoutTimings<T>(value: T): T {
  const skip = new Set<string>(TIMING_FIELDS);
  return JSON.parse(JSON.stringify(value, (k, v) => (skip.has(k) ? undefined : v))) as T;
}
