import { describe, expect, it } from "vitest";
import { mnistFromIdx, parseIdx } from "../../src/tasks/idx.ts";

/** A hand-built IDX file: magic 0x00 0x00 type ndims, big-endian u32 dims, then payload bytes. */
function idx(type: number, dims: number[], payload: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + payload.length);
  out.set([0, 0, type, dims.length]);
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(payload, 4 + 4 * dims.length);
  return out;
}

const images = (n: number, rows: number, cols: number, px: (i: number) => number) =>
  idx(0x08, [n, rows, cols], Array.from({ length: n * rows * cols }, (_, i) => px(i)));
const labels = (ls: number[]) => idx(0x08, [ls.length], ls);

describe("parseIdx", () => {
  it("reads u8 images: dims big-endian, data row-major", () => {
    const a = parseIdx(images(2, 2, 3, (i) => i * 10));
    expect(a.type).toBe("u8");
    expect(a.dims).toEqual([2, 2, 3]);
    expect([...a.data]).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110]);
  });

  it("reads big-endian multi-byte types (i16, i32, f32, f64)", () => {
    expect([...parseIdx(idx(0x0b, [2], [0xff, 0xfe, 0x01, 0x00])).data]).toEqual([-2, 256]);
    expect([...parseIdx(idx(0x0c, [1], [0x00, 0x01, 0x00, 0x00])).data]).toEqual([65536]);
    expect([...parseIdx(idx(0x0d, [1], [0x3f, 0xc0, 0x00, 0x00])).data]).toEqual([1.5]);
    expect([...parseIdx(idx(0x0e, [1], [0xc0, 0x00, 0, 0, 0, 0, 0, 0])).data]).toEqual([-2]);
    expect([...parseIdx(idx(0x09, [2], [0xff, 0x7f])).data]).toEqual([-1, 127]);
  });

  it("works on a view into a larger buffer (byteOffset ≠ 0)", () => {
    const file = labels([3, 1, 4]);
    const big = new Uint8Array(file.length + 5);
    big.set(file, 5);
    expect([...parseIdx(big.subarray(5)).data]).toEqual([3, 1, 4]);
  });

  it("rejects a wrong magic with a clear message", () => {
    const bad = labels([1, 2]);
    bad[1] = 8;
    expect(() => parseIdx(bad, "train labels")).toThrow(/train labels: bad magic, first two bytes must be 0x00 0x00/);
    expect(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0]))).toThrow(/gzip/);
    expect(() => parseIdx(idx(0x07, [1], [0]))).toThrow(/unknown data type 0x07/);
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 0]))).toThrow(/zero dimensions/);
  });

  it("rejects truncated headers and data, and trailing bytes", () => {
    expect(() => parseIdx(new Uint8Array([0, 0]))).toThrow(/truncated, 2 bytes/);
    expect(() => parseIdx(idx(0x08, [2, 2, 2], []).subarray(0, 10)))
      .toThrow(/truncated header, 3 dimensions need 16 bytes, got 10/);
    expect(() => parseIdx(idx(0x08, [2, 3], [1, 2, 3, 4, 5])))
      .toThrow(/truncated data, dimensions \[2, 3\] need 6 bytes, got 5/);
    expect(() => parseIdx(idx(0x0c, [2], [0, 0, 0, 1, 0, 0]))).toThrow(/need 8 bytes, got 6/);
    expect(() => parseIdx(idx(0x08, [2], [1, 2, 3]))).toThrow(/1 unexpected bytes/);
  });
});

describe("mnistFromIdx", () => {
  it("builds a classification dataset: pixels byte/255, labels, file order", () => {
    const d = mnistFromIdx({
      trainImages: images(3, 2, 2, (i) => (i === 0 ? 255 : i)),
      trainLabels: labels([7, 0, 9]),
      testImages: images(1, 2, 2, () => 51),
      testLabels: labels([3]),
    });
    expect([d.kind, d.inputDim, d.outputDim, d.train.n, d.test.n]).toEqual(["classification", 4, 10, 3, 1]);
    expect(d.train.x).toBeInstanceOf(Float32Array);
    expect(d.train.x[0]).toBe(1);
    expect(d.train.x[5]).toBe(Math.fround(5 / 255));
    expect([...d.train.y]).toEqual([7, 0, 9]);
    expect([...d.test.x]).toEqual([0.2, 0.2, 0.2, 0.2].map(Math.fround));
    expect([...d.test.y]).toEqual([3]);
  });

  it("names the file and the problem on mismatches", () => {
    const ok = {
      trainImages: images(2, 2, 2, () => 0),
      trainLabels: labels([0, 1]),
      testImages: images(1, 2, 2, () => 0),
      testLabels: labels([1]),
    };
    expect(() => mnistFromIdx({ ...ok, trainLabels: labels([0]) })).toThrow(/train: 2 images but 1 labels/);
    expect(() => mnistFromIdx({ ...ok, testLabels: labels([10]) })).toThrow(/test labels: label 10 at index 0/);
    expect(() => mnistFromIdx({ ...ok, testImages: images(1, 3, 3, () => 0) }))
      .toThrow(/4 pixels each but test images 9/);
    expect(() => mnistFromIdx({ ...ok, trainImages: ok.trainLabels }))
      .toThrow(/train images: expected u8 data of 3 dimensions/);
    expect(() => mnistFromIdx({ ...ok, testLabels: ok.testImages }))
      .toThrow(/test labels: expected u8 data of 1 dimension/);
    const cut = ok.trainImages.subarray(0, ok.trainImages.length - 1);
    expect(() => mnistFromIdx({ ...ok, trainImages: cut })).toThrow(/train images: truncated data/);
  });
});
