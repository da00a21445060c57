// The command line as a user runs it: src/cli.ts bundled once per test file, run in a child process.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import * as esbuild from "esbuild";

const run = promisify(execFile);

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * Bundles src/cli.ts to `name` inside the project (so the bundle resolves its external packages from
 * node_modules); each test file uses its own name, as vitest runs files in parallel.
 */
export async function bundleCli(name: string): Promise<(...args: string[]) => Promise<CliResult>> {
  const cli = join(process.cwd(), "node_modules/.cache/brainwire-test", name);
  await esbuild.build({
    entryPoints: ["src/cli.ts"],
    outfile: cli,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "error",
  });
  return async (...args) => {
    try {
      return { ...(await run("node", [cli, ...args])), code: 0 };
    } catch (err) {
      const e = err as CliResult;
      return { stdout: e.stdout, stderr: e.stderr, code: e.code };
    }
  };
}
