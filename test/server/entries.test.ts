// Each runtime entry serves the same app: `brainwire serve` (the Node CLI bundle), server/deno.ts under
// Deno.serve and server/bun.ts under Bun.serve. Each must serve the built page and answer the API with
// Node's bits (app.request in this process is the reference).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";

const root = join(import.meta.dirname, "../..");
const bin = (name: string) => join(root, "node_modules/.bin", name);

const entries = [
  { name: "brainwire serve (Node)", cmd: process.execPath, args: ["bin/brainwire.js", "serve", "--port", "0"] },
  { name: "server/deno.ts (Deno)", cmd: bin("deno"),
    args: ["run", "--allow-net", "--allow-read", "--allow-env", "--no-lock", "server/deno.ts", "0"] },
  { name: "server/bun.ts (Bun)", cmd: bin("bun"), args: ["server/bun.ts", "0"],
    skip: !existsSync(bin("bun")) && "bun is not installed" },
];

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill();
});

/** Starts an entry on a free port and returns its URL, from the line it prints. */
function start(cmd: string, args: string[]): Promise<string> {
  const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const look = (d: Buffer) => {
      output += d;
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(output);
      if (m) resolve(m[0]);
    };
    child.stdout?.on("data", look);
    child.stderr?.on("data", (d) => (output += d));
    child.once("exit", (code) => reject(new Error(`${cmd} exited (${code}): ${output}`)));
  });
}

const body = JSON.stringify({ task: "symbolic-sharing", mode: "bimt", seed: 3, steps: 300 });
let reference: Promise<{ weightsHash: string }> | undefined;
const viaNode = () => (reference ??= Promise.resolve(createApp().request("/v1/train", { method: "POST", body }))
  .then((r) => r.json()));

describe.each(entries)("$name", ({ cmd, args, skip }) => {
  it.skipIf(Boolean(skip))("serves the page and the API; training gives the same bits", async () => {
    const url = await start(cmd, args);
    const page = await fetch(url);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toContain("<title>brainwire");
    const trained = await (await fetch(`${url}v1/train`, { method: "POST", body })).json();
    expect(trained.weightsHash).toBe((await viaNode()).weightsHash);
    const bad = await fetch(`${url}v1/train`, { method: "POST", body: '{"task":"chess"}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: "task", error: expect.stringMatching(/^task: unknown task "chess"/) });
  });
});
