// Bundles an entry (a worker script, the CLI) with esbuild into node_modules/.cache/brainwire-test/, so
// the bundle resolves its external packages from node_modules; each test file uses its own name, as
// vitest runs files in parallel.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

export async function bundleEntry(entry: string, name: string): Promise<URL> {
  const outfile = join(process.cwd(), "node_modules/.cache/brainwire-test", name);
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "error",
  });
  return pathToFileURL(outfile);
}
