// server/deno.ts: the same app under Deno.serve answers like it does under Node (app.request).
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";

const root = join(import.meta.dirname, "../..");
let child: ChildProcess | undefined;
let url = "";

beforeAll(async () => {
  const deno = join(root, "node_modules/.bin/deno");
  child = spawn(deno, ["run", "--allow-net", "--allow-read", "--allow-env", "--no-lock", "server/deno.ts", "0"],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d));
  url = await new Promise<string>((resolve, reject) => {
    child?.stdout?.on("data", (d: Buffer) => {
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(String(d));
      if (m) resolve(m[0]);
    });
    child?.once("exit", (code) => reject(new Error(`deno exited (${code}): ${stderr}`)));
  });
});

afterAll(() => {
  child?.kill();
});

describe("server/deno.ts", () => {
  it("serves the page and the API; training gives Node's bits", async () => {
    expect((await fetch(url)).headers.get("content-type")).toMatch(/text\/html/);
    const tasks = await (await fetch(`${url}v1/tasks`)).json();
    expect(tasks.modes).toContain("bimt");
    const body = JSON.stringify({ task: "symbolic-sharing", mode: "bimt", seed: 3, steps: 300 });
    const viaDeno = await (await fetch(`${url}v1/train`, { method: "POST", body })).json();
    const viaNode = await (await createApp().request("/v1/train", { method: "POST", body })).json();
    expect(viaDeno.weightsHash).toBe(viaNode.weightsHash);
    const bad = await fetch(`${url}v1/train`, { method: "POST", body: "{}" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/task: must be one of/);
  });
});
