// The entry of a runtime that the driver (bench/index.ts, on Node) starts as a child process: Deno and
// Bun. Arguments: --setting full|quick|smoke, --suites a,b (default all), --out <file>. Progress goes
// to stdout as lines; the report is written to --out as JSON.
import { SETTINGS, type BenchSetting } from "../harness.ts";
import { printEvents, runBench, type BenchAdapter } from "../run.ts";

export async function childMain(
  adapter: BenchAdapter,
  args: readonly string[],
  writeText: (path: string, text: string) => Promise<unknown>,
): Promise<void> {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const setting = (value("--setting") ?? "full") as BenchSetting;
  if (!SETTINGS.includes(setting)) throw new Error(`--setting: must be one of ${SETTINGS.join(", ")}, got ${setting}`);
  const out = value("--out");
  if (!out) throw new Error("--out: the file to write the report to is required");
  const suites = value("--suites")?.split(",").filter(Boolean);
  const report = await runBench(adapter, {
    setting,
    suites,
    onEvent: printEvents(adapter.runtime.name),
  });
  await writeText(out, JSON.stringify(report));
}
