// The command line as a user runs it: src/cli.ts bundled once per test file, run in a child process.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { bundleEntry } from "./bundle.ts";

const run = promisify(execFile);

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Bundles src/cli.ts to `name` (bundle.ts) and returns a function that runs it with arguments. */
export async function bundleCli(name: string): Promise<(...args: string[]) => Promise<CliResult>> {
  const cli = fileURLToPath(await bundleEntry("src/cli.ts", name));
  return async (...args) => {
    try {
      return { ...(await run("node", [cli, ...args])), code: 0 };
    } catch (err) {
      const e = err as CliResult;
      return { stdout: e.stdout, stderr: e.stderr, code: e.code };
    }
  };
}
