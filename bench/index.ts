// `npm run bench -- [suite…] [--runtime node|deno|bun|chromium|all] [--quick|--smoke] [--out file]`:
// the driver, on Node. It runs the suites on each chosen runtime in turn (never two at once, so they do
// not compete for the cores): Node in this process, Deno and Bun as child processes running their own
// bundles, Chromium headless through playwright-core. Every ratio compares runs made side by side in one
// runtime; the table puts the runtimes side by side; the result file holds every raw sample.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, Option } from "commander";
import { formatTable, RUNTIMES, type BenchSetting, type RuntimeName } from "./harness.ts";
import { BENCH_FORMAT, BENCH_VERSION, type BenchFile, type RuntimeReport } from "./report.ts";
import { printEvents, runBench, selectSuites } from "./run.ts";
import { nodeAdapter, nodeMachine } from "./runtimes/node.ts";
import { formatRuntimeTable } from "./table.ts";

// Chromium joins when the bench page (its worker) lands.
const CLI_RUNTIMES = RUNTIMES.filter((r) => r !== "chromium");

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name: string) => join(root, "node_modules/.bin", name);

interface Flags {
  runtime: RuntimeName | "all";
  quick?: boolean;
  smoke?: boolean;
  out: string;
}

async function runNode(setting: BenchSetting, suites: string[]): Promise<RuntimeReport> {
  return runBench(nodeAdapter, { setting, suites, onEvent: printEvents("node") });
}

/** Deno or Bun: their bundle in a child process, which writes its report to a file of a fresh folder. */
async function runChild(runtime: "deno" | "bun", setting: BenchSetting, suites: string[]): Promise<RuntimeReport> {
  const exe = bin(runtime);
  if (!existsSync(exe)) throw new Error(`${runtime}: not installed (npm ci installs the npm package "${runtime}")`);
  const dir = await mkdtemp(join(tmpdir(), "brainwire-bench-"));
  const out = join(dir, "report.json");
  const bundle = join(root, `dist/bench-${runtime}.js`);
  const args = ["--setting", setting, "--out", out, ...(suites.length ? ["--suites", suites.join(",")] : [])];
  // Deno gets exactly what it needs: read the tfjs package, write one file, CPU facts for the report.
  const argv = runtime === "deno"
    ? ["run", "--no-config", "--no-lock", `--allow-read=${join(root, "node_modules/@tensorflow")}`,
      `--allow-write=${out}`, "--allow-sys=cpus", bundle, ...args]
    : [bundle, ...args];
  try {
    await new Promise<void>((done, fail) => {
      const child = spawn(exe, argv, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
      child.once("error", fail);
      child.once("exit", (code, signal) =>
        code === 0 ? done() : fail(new Error(`${runtime}: the bench failed (${signal ?? `exit code ${code}`})`)));
    });
    return JSON.parse(await readFile(out, "utf8")) as RuntimeReport;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runOn(runtime: RuntimeName, setting: BenchSetting, suites: string[]): Promise<RuntimeReport> {
  console.log(`== ${runtime} (${setting})`);
  if (runtime === "node") return runNode(setting, suites);
  if (runtime === "deno" || runtime === "bun") return runChild(runtime, setting, suites);
  throw new Error(`${runtime}: not supported yet`);
}

function gitCommit(): Promise<string | undefined> {
  if (process.env.GIT_COMMIT) return Promise.resolve(process.env.GIT_COMMIT);
  return new Promise((done) =>
    execFile("git", ["rev-parse", "--short", "HEAD"], { cwd: root }, (err, stdout) => done(err ? undefined : stdout.trim())));
}

async function main(): Promise<void> {
  const program = new Command("npm run bench --")
    .description("brainwire against tfjs-wasm and plain JS, measured side by side on each runtime")
    .argument("[suites...]", `suites to run (default all): ${selectSuites().map((s) => s.name).join(", ")}`)
    .addOption(new Option("--runtime <name>", "where to run").choices([...CLI_RUNTIMES, "all"]).default("node"))
    .option("--quick", "the headline cases with short sampling: about a minute per runtime")
    .option("--smoke", "one tiny case per suite, minimal sampling (for tests: its times mean nothing)")
    .option("--out <file>", "the result file", "out/bench.json")
    .parse(process.argv);
  const flags = program.opts<Flags>();
  const suites = program.args;
  selectSuites(suites); // unknown names fail before anything runs
  if (flags.quick && flags.smoke) throw new Error("--quick and --smoke: give one of them");
  const setting: BenchSetting = flags.smoke ? "smoke" : flags.quick ? "quick" : "full";
  const runtimes: RuntimeName[] = flags.runtime === "all" ? [...CLI_RUNTIMES] : [flags.runtime];

  const started = performance.now();
  const runs: RuntimeReport[] = [];
  for (const runtime of runtimes) runs.push(await runOn(runtime, setting, suites));
  console.log(`\n${runs.length === 1 ? formatTable(runs[0].rows) : formatRuntimeTable(runs)}\n`);
  const machine = nodeMachine();
  const file: BenchFile = {
    format: BENCH_FORMAT,
    version: BENCH_VERSION,
    createdAt: new Date().toISOString(),
    setting,
    machine,
    commit: await gitCommit(),
    command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
    runs,
  };
  const out = resolve(flags.out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(file, null, 2)}\n`);
  const seconds = (performance.now() - started) / 1000;
  console.log(`${machine.cpu}, ${machine.cores} cores; wrote ${flags.out} (${seconds.toFixed(0)} s)`);
}

await main();
