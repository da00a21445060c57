// A user has only this repository: no tracked file (README, docs, comments, CLI help, report text)
// may point at a path outside it. The rules are in test/helpers/outside-refs.ts; the first tests plant
// bad lines to show that each rule can fail, the last scans every file `git ls-files` lists.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { outsideRefs } from "../helpers/outside-refs.ts";

const root = join(import.meta.dirname, "../..");
const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);
const files = new Set(tracked);
/** The rules' own source and these tests spell out what they look for. */
const SELF = new Set(["test/helpers/outside-refs.ts", "test/docs/self-contained.test.ts"]);

const rules = (file: string, text: string) => outsideRefs(file, text, files).map((r) => `${r.rule}: ${r.text}`);

describe("references to paths outside the repository", () => {
  it("are found in planted lines, by each rule", () => {
    expect(rules("README.md", "The protocol is ours (`../shared/spec/study.md`).")).toEqual([
      "escapes the repository: ../shared/spec/study.md",
      "project notes: ../shared",
    ]);
    expect(rules("src/study/protocol.ts", "// The study protocol (spec/study.md): for each task")).toEqual([
      "missing document: spec/study.md",
    ]);
    expect(rules("src/cli.ts", '  .description("see /work/shared or notes/style.md")')).toEqual([
      "machine path: /work/shared",
      "missing document: notes/style.md",
    ]);
    expect(rules("src/app/index.ts", '// The one door (ARCHITECTURE "src/app")')).toEqual(["project notes: ARCHITECTURE"]);
    expect(rules("src/train/cost.ts", "// The cost (../spec/bimt.md)")).toEqual(["missing document: ../spec/bimt.md"]);
    expect(rules("docs/api.md", "Read HELPERS.md first.")).toEqual(["project notes: HELPERS.md"]);
    expect(rules("test/cli/cli.test.ts", 'import x from "../../../outside/x.ts";')).toEqual([
      "escapes the repository: ../../../outside/x.ts",
    ]);
    expect(rules("docs/data.md", "```sh\ncat ../../shared/x.md\n```")).toEqual([
      "escapes the repository: ../../shared/x.md",
      "project notes: ../../shared",
    ]);
    expect(rules("README.md", "A Windows user might type C:\\Users\\me")).toEqual(["machine path: C:\\Users"]);
  });

  it("leave legitimate paths alone: imports inside the repository, its own docs, URLs, tool output", () => {
    const fine = [
      ["test/runtimes/browser.test.ts", 'import { startServer } from "../../server/node.ts";'],
      ["web/main.ts", 'import { DEFAULT_TAU } from "../src/index.ts";'],
      ["README.md", "See [docs/data.md](docs/data.md) and [README.md](README.md)."],
      ["src/app/index.ts", '// The one door (docs/architecture.md, "src/app")'],
      ["docs/study.md", "In the output folder: `report.md`, `out/study/report.md`, `dist/web/index.html`."],
      ["README.md", "arXiv https://arxiv.org/abs/2305.08746 and https://github.com/owner/repo/blob/main/x.md"],
      // Quoted example code runs from a folder of the repository (examples/deno.ts imports ../dist/).
      ["README.md", '```ts\nimport { trainModel } from "../dist/brainwire.js";\n```'],
    ];
    for (const [file, text] of fine) expect(rules(file, text), `${file}: ${text}`).toEqual([]);
  });

  it("appear in no tracked file", () => {
    expect(tracked.length).toBeGreaterThan(100);
    const found: string[] = [];
    for (const file of tracked) {
      if (SELF.has(file) || !existsSync(join(root, file))) continue;
      const bytes = readFileSync(join(root, file));
      if (bytes.includes(0)) continue; // binary
      for (const r of outsideRefs(file, bytes.toString("utf8"), files)) {
        found.push(`${r.file}:${r.line}: ${r.rule}: ${r.text}`);
      }
    }
    expect(found).toEqual([]);
  });

  it("the scan of every file fails on a planted line", () => {
    const planted = "src/planted.ts";
    const withPlant = new Set([...files, planted]);
    const text = readFileSync(join(root, "src/index.ts"), "utf8") + "\n// see ../../shared/spec/bimt.md\n";
    expect(outsideRefs(planted, text, withPlant).map((r) => r.rule)).toEqual(["escapes the repository",
      "project notes"]);
  });
});
