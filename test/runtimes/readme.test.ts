// The README quotes the examples the runtime tests run; keep the quotes and the files identical.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");

describe("README", () => {
  it.each(["examples/node.mjs", "examples/deno.ts", "examples/browser.html"])("quotes %s as it is", async (file) => {
    const [readme, example] = await Promise.all([readFile(join(root, "README.md"), "utf8"),
      readFile(join(root, file), "utf8")]);
    expect(readme, `README.md should quote ${file} verbatim (copy the file into its code block)`)
      .toContain("\n" + example.trim() + "\n```");
  });
});
