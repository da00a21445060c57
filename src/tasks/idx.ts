// The IDX format of the MNIST files (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"): a 4-byte magic
// 0x00 0x00 <type> <ndims>, then ndims big-endian u32 sizes, then the data, big-endian, row-major.
// Pure bytes in, arrays out: reading the files (and gunzip) lives in node-files.ts.
import type { Dataset } from "./types.ts";

export type IdxType = "u8" | "i8" | "i16" | "i32" | "f32" | "f64";

export interface IdxArray {
  type: IdxType;
  /** Sizes, outermost first: MNIST images are [n, 28, 28], labels [n]. */
  dims: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { type: IdxType; bytes: number }> = {
  0x08: { type: "u8", bytes: 1 },
  0x09: { type: "i8", bytes: 1 },
  0x0b: { type: "i16", bytes: 2 },
  0x0c: { type: "i32", bytes: 4 },
  0x0d: { type: "f32", bytes: 4 },
  0x0e: { type: "f64", bytes: 8 },
};

const hex = (v: number, width = 2) => "0x" + v.toString(16).padStart(width, "0");

/** Parses one IDX file. `name` only labels error messages. */
export function parseIdx(bytes: Uint8Array, name = "IDX file"): IdxArray {
  if (bytes.length < 4) throw new Error(`${name}: truncated, ${bytes.length} bytes is shorter than the 4-byte magic`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hint = bytes[0] === 0x1f && bytes[1] === 0x8b ? " (it looks gzip-compressed: gunzip it first)" : "";
    const got = `${hex(bytes[0])} ${hex(bytes[1])}`;
    throw new Error(`${name}: bad magic, first two bytes must be 0x00 0x00, got ${got}${hint}`);
  }
  const t = TYPES[bytes[2]];
  if (!t) throw new Error(`${name}: bad magic, unknown data type ${hex(bytes[2])} (expected 0x08, 0x09, 0x0b-0x0e)`);
  const ndims = bytes[3];
  if (ndims === 0) throw new Error(`${name}: bad magic, zero dimensions`);
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new Error(`${name}: truncated header, ${ndims} dimensions need ${headerBytes} bytes, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    dims.push(view.getUint32(4 + 4 * d, false));
    count *= dims[d];
  }
  const dataBytes = count * t.bytes;
  const have = bytes.length - headerBytes;
  if (have < dataBytes) {
    throw new Error(`${name}: truncated data, dimensions [${dims.join(", ")}] need ${dataBytes} bytes, got ${have}`);
  }
  if (have > dataBytes) {
    throw new Error(`${name}: ${have - dataBytes} unexpected bytes after the data of dimensions [${dims.join(", ")}]`);
  }
  return { type: t.type, dims, data: readData(view, headerBytes, count, t.type) };
}

function readData(view: DataView, at: number, count: number, type: IdxType): IdxArray["data"] {
  switch (type) {
    case "u8":
      return new Uint8Array(view.buffer, view.byteOffset + at, count).slice();
    case "i8":
      return new Int8Array(view.buffer, view.byteOffset + at, count).slice();
    case "i16": {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(at + 2 * i, false);
      return out;
    }
    case "i32": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(at + 4 * i, false);
      return out;
    }
    case "f32": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i, false);
      return out;
    }
    case "f64": {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i, false);
      return out;
    }
  }
}

export interface IdxFiles {
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

/**
 * The standard MNIST (or Fashion-MNIST) files as a Dataset: train and test exactly as the files split them
 * (60,000 / 10,000 for MNIST), in file order; pixels byte / 255 in [0, 1]; labels 0–9.
 */
export function mnistFromIdx(files: IdxFiles): Dataset {
  const train = imagesAndLabels(files.trainImages, files.trainLabels, "train");
  const test = imagesAndLabels(files.testImages, files.testLabels, "test");
  if (train.pixels !== test.pixels) {
    throw new Error(`IDX: train images have ${train.pixels} pixels each but test images ${test.pixels}`);
  }
  return {
    kind: "classification",
    inputDim: train.pixels,
    outputDim: 10,
    train: train.split,
    test: test.split,
    outputNames: Array.from({ length: 10 }, (_, i) => String(i)),
  };
}

function imagesAndLabels(imageBytes: Uint8Array, labelBytes: Uint8Array, which: string) {
  const images = parseIdx(imageBytes, `${which} images`);
  const labels = parseIdx(labelBytes, `${which} labels`);
  if (images.type !== "u8" || images.dims.length !== 3) {
    throw new Error(`${which} images: expected u8 data of 3 dimensions [n, rows, cols] (magic 0x00000803), ` +
      `got ${images.type} [${images.dims.join(", ")}]`);
  }
  if (labels.type !== "u8" || labels.dims.length !== 1) {
    throw new Error(`${which} labels: expected u8 data of 1 dimension [n] (magic 0x00000801), ` +
      `got ${labels.type} [${labels.dims.join(", ")}]`);
  }
  const [n, rows, cols] = images.dims;
  if (labels.dims[0] !== n) throw new Error(`${which}: ${n} images but ${labels.dims[0]} labels`);
  const pixels = rows * cols;
  const x = new Float32Array(n * pixels);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 255;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels.data[i];
    if (label > 9) throw new Error(`${which} labels: label ${label} at index ${i} is not a digit 0-9`);
    y[i] = label;
  }
  return { pixels, split: { n, x, y } };
}
