import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { readMnistFolder, readUserDataFile } from "../../src/tasks/node-files.ts";

const dir = mkdtempSync(join(tmpdir(), "brainwire-tasks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function idx(type: number, dims: number[], payload: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + payload.length);
  out.set([0, 0, type, dims.length]);
  dims.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d, false));
  out.set(payload, 4 + 4 * dims.length);
  return out;
}

describe("readMnistFolder", () => {
  it("reads the four standard files, plain or gzipped", async () => {
    const folder = join(dir, "mnist");
    mkdirSync(folder);
    writeFileSync(join(folder, "train-images-idx3-ubyte.gz"), gzipSync(idx(0x08, [2, 1, 2], [0, 255, 51, 102])));
    writeFileSync(join(folder, "train-labels-idx1-ubyte"), idx(0x08, [2], [4, 2]));
    writeFileSync(join(folder, "t10k-images.idx3-ubyte"), idx(0x08, [1, 1, 2], [255, 0]));
    writeFileSync(join(folder, "t10k-labels-idx1-ubyte.gz"), gzipSync(idx(0x08, [1], [9])));
    const d = await readMnistFolder(folder);
    expect([d.inputDim, d.train.n, d.test.n]).toEqual([2, 2, 1]);
    expect([...d.train.x]).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
    expect([...d.train.y, ...d.test.y]).toEqual([4, 2, 9]);
  });

  it("names a missing file", async () => {
    await expect(readMnistFolder(dir))
      .rejects.toThrow(/missing train-images-idx3-ubyte \(or train-images-idx3-ubyte\.gz\)/);
  });
});

describe("readUserDataFile", () => {
  it("picks the format from the extension and prefixes errors with the path", async () => {
    const csvPath = join(dir, "d.csv");
    writeFileSync(csvPath, "a,y\n1,2\n3,4\n");
    expect((await readUserDataFile(csvPath)).train.n).toBe(2);
    const jsonPath = join(dir, "d.json");
    writeFileSync(jsonPath, JSON.stringify({ x: [[1], ["z"]], y: [1, 2] }));
    await expect(readUserDataFile(jsonPath)).rejects.toThrow(`${jsonPath}: JSON x[1][0]: "z" is not a number`);
    await expect(readUserDataFile(join(dir, "d.txt"))).rejects.toThrow(/expected a \.csv or \.json file/);
  });
});
