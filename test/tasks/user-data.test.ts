import { describe, expect, it } from "vitest";
import { parseUserData, userTask } from "../../src/tasks/user-data.ts";
import { createEngineSync } from "../../src/engine/engine.ts";

const csv = (s: string) => parseUserData(s, "csv");
const json = (o: unknown) => parseUserData(JSON.stringify(o), "json");

describe("parseUserData: CSV", () => {
  it("regression with the last column as target by default", () => {
    const d = csv("a,b,y\n1,2,3.5\n4,5,-6\n");
    expect([d.kind, d.inputDim, d.outputDim, d.train.n, d.test.n]).toEqual(["regression", 2, 1, 2, 0]);
    expect([...d.train.x]).toEqual([1, 2, 4, 5]);
    expect([...d.train.y]).toEqual([3.5, -6]);
    expect(d.inputNames).toEqual(["a", "b"]);
    expect(d.outputNames).toEqual(["y"]);
    expect(d.train.y).toBeInstanceOf(Float32Array);
  });

  it("named target columns anywhere, several of them; CRLF, quotes, blank lines, spaces", () => {
    const d = parseUserData('"t1", x ,t2\r\n1, 2 ,3\r\n\r\n"4",5,6\r\n', "csv", { targets: ["t2", "t1"] });
    expect([d.inputDim, d.outputDim, d.train.n]).toEqual([1, 2, 2]);
    expect([...d.train.x]).toEqual([2, 5]);
    expect([...d.train.y]).toEqual([3, 1, 6, 4]);
    expect(d.inputNames).toEqual(["x"]);
    expect(d.outputNames).toEqual(["t2", "t1"]);
  });

  it("string labels become classes in sorted order", () => {
    const d = csv("x1,x2,kind\n0,1,dog\n1,0,cat\n2,2,dog\n3,3,bird\n");
    expect([d.kind, d.outputDim]).toEqual(["classification", 3]);
    expect(d.outputNames).toEqual(["bird", "cat", "dog"]);
    expect([...d.train.y]).toEqual([2, 1, 2, 0]);
    expect(d.train.y).toBeInstanceOf(Int32Array);
    // Words that merely start like NaN/Infinity are labels, not numbers.
    expect(csv("x,c\n0,nancy\n1,info\n").outputNames).toEqual(["info", "nancy"]);
  });

  it("integer labels keep their meaning with kind classification (label k is class k)", () => {
    const d = parseUserData("x,c\n0,2\n1,0\n2,2\n", "csv", { kind: "classification" });
    expect([d.outputDim, ...d.train.y]).toEqual([3, 2, 0, 2]);
    expect(d.outputNames).toEqual(["0", "1", "2"]);
    expect(csv("x,c\n0,2\n1,0\n").kind).toBe("regression"); // numbers without kind: regression
  });

  it("testFraction holds out a seeded, reproducible subset", () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i},${i % 2 ? "a" : "b"}`).join("\n");
    const text = `x,label\n${rows}\n`;
    const a = parseUserData(text, "csv", { testFraction: 0.25, seed: 1 });
    expect([a.train.n, a.test.n]).toEqual([15, 5]);
    const seen = [...a.train.x, ...a.test.x].sort((p, q) => p - q);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    for (const s of [a.train, a.test]) {
      for (let r = 0; r < s.n; r++) expect(s.y[r]).toBe(s.x[r] % 2 ? 0 : 1); // "a" < "b": rows stay aligned
    }
    const b = parseUserData(text, "csv", { testFraction: 0.25, seed: 1 });
    expect([...b.test.x]).toEqual([...a.test.x]);
    const c = parseUserData(text, "csv", { testFraction: 0.25, seed: 2 });
    expect([...c.test.x]).not.toEqual([...a.test.x]);
  });

  it.each([
    ["a,b\nx,1\n", 'CSV line 2, column "a": "x" is not a number'],
    ["a,b,c\n1,2,3\nzz,2,3\n", 'CSV line 3, column "a": "zz" is not a number'],
    ["a,b,c\n1,2,3\n1,2\n", "CSV line 3: ragged row, 2 values but the header has 3 columns"],
    ["a,b\n1,2\nNaN,3\n", 'CSV line 3, column "a": NaN is not a finite number'],
    ["a,b\n1,2\n3,Infinity\n", 'CSV line 3, column "b": Infinity is not a finite number'],
    ["a,b\n1e999,2\n", 'CSV line 2, column "a": 1e999 is not a finite number'],
    ["a,b\n,2\n", 'CSV line 2, column "a": empty value'],
    ["", "CSV: empty data (no header row)"],
    ["a,b\n", "CSV: empty data (a header row but no data rows)"],
    ["a,a\n1,2\n", 'CSV header: duplicate column name "a"'],
    ["a,\n1,2\n", "CSV header: column 2 has no name"],
    ["y\n1\n", "CSV: no input columns left after taking the target columns"],
    ['a,b\n"1,2\n', "CSV line 2: unterminated quoted value"],
  ])("error: %j", (text, message) => {
    expect(() => csv(text)).toThrow(message);
  });

  it("errors: unknown target column, fewer than 2 classes, empty label, too many targets", () => {
    expect(() => parseUserData("a,b\n1,2\n", "csv", { targets: ["z"] }))
      .toThrow('CSV: unknown target column "z"; the columns are: a, b');
    expect(() => csv("a,b\n1,cat\n2,cat\n")).toThrow("classification needs at least 2 classes, found 1 (cat)");
    expect(() => csv("a,b\n1,cat\n2, \n")).toThrow('CSV line 3, column "b": empty label');
    expect(() => parseUserData("a,b,c\n1,2,3\n", "csv", { targets: ["b", "c"], kind: "classification" }))
      .toThrow("classification needs exactly one target column, got 2");
    expect(() => parseUserData("a,b\n1,x\n", "csv", { kind: "regression" }))
      .toThrow('CSV line 2, column "b": "x" is not a number');
  });

  it("errors: testFraction out of range, too few rows, source prefix", () => {
    const text = "a,b\n1,2\n3,4\n";
    expect(() => parseUserData(text, "csv", { testFraction: 1 })).toThrow("testFraction must be in (0, 1), got 1");
    expect(() => parseUserData(text, "csv", { testFraction: 0.1 })).toThrow(/leaves 0 test and 2 train rows/);
    expect(() => parseUserData("a,b\nx,1\n", "csv", { source: "d.csv" })).toThrow(/^d\.csv: CSV line 2/);
  });
});

describe("parseUserData: JSON", () => {
  it("regression with y as number[][]", () => {
    const d = json({ x: [[1, 2], [3, 4]], y: [[0.5, 1], [1.5, 2]] });
    expect([d.kind, d.inputDim, d.outputDim, ...d.train.y]).toEqual(["regression", 2, 2, 0.5, 1, 1.5, 2]);
    expect(d.inputNames).toEqual(["x1", "x2"]);
    expect(d.outputNames).toEqual(["y1", "y2"]);
  });

  it("classification via kind with integer labels, explicit test set, names", () => {
    const d = json({
      x: [[0], [1], [2]],
      y: [0, 1, 1],
      kind: "classification",
      test: { x: [[3]], y: [2] },
      inputNames: ["t"],
    });
    expect([d.kind, d.outputDim, d.train.n, d.test.n]).toEqual(["classification", 3, 3, 1]);
    expect([...d.train.y, ...d.test.y]).toEqual([0, 1, 1, 2]);
    expect([...d.test.x]).toEqual([3]);
    expect(d.inputNames).toEqual(["t"]);
  });

  it("string labels are mapped over train and test together", () => {
    const d = json({ x: [[0], [1]], y: ["no", "yes"], test: { x: [[2]], y: ["maybe"] } });
    expect(d.outputNames).toEqual(["maybe", "no", "yes"]);
    expect([...d.train.y, ...d.test.y]).toEqual([1, 2, 0]);
  });

  it.each([
    [{ x: [[1, 2], [3]], y: [1, 2] }, "JSON x[1]: ragged row, 1 values but x[0] has 2"],
    [{ x: [[1, "a"]], y: [1] }, 'JSON x[0][1]: "a" is not a number'],
    [{ x: [[1, null]], y: [1] }, "JSON x[0][1]: null is not a number"],
    [{ x: [], y: [] }, "JSON x: empty data (no rows)"],
    [{ x: [[1], [2]], y: [1] }, "JSON: x has 2 rows but y has 1"],
    [{ x: [[1]], y: [[1, 2]], test: { x: [[1]], y: [[1]] } }, "JSON test.y has 1 columns but y has 2"],
    [{ x: [[1]], y: [[1]], test: { x: [[1, "q"]], y: [[1]] } }, 'JSON test.x[0][1]: "q" is not a number'],
    [{ x: [[1], [2]], y: [[1], [2, 3]] }, "JSON y[1]: ragged row, 2 values but y[0] has 1"],
    [{ x: [[1]], y: [true] }, "JSON y[0]: true is neither a number nor a label string"],
    [{ x: [[1], [2]], y: ["a", "a"] }, "classification needs at least 2 classes, found 1 (a)"],
    [{ x: [[1], [2]], y: [1, "a"], kind: "regression" }, 'JSON y[1]: "a" is not a number'],
    [{ x: [[1]], y: [1], kind: "ordinal" }, 'JSON "kind": expected "regression" or "classification", got "ordinal"'],
    [{ x: [[1]], y: [1], labels: [] }, 'JSON: unknown key "labels"'],
    [{ x: [[1]], y: [1], inputNames: ["a", "b"] }, 'JSON "inputNames": 2 names for 1 columns'],
    [{ x: [[1], [2]], y: ["a", "b"], outputNames: ["a"] }, "outputNames: 1 names for 2 outputs"],
    [[1, 2], 'JSON: expected an object { "x": number[][], "y": ... }'],
    [{ y: [1] }, 'JSON "x": expected an array of rows (number[][])'],
  ])("error: %j", (doc, message) => {
    expect(() => json(doc)).toThrow(message);
  });

  it("errors: invalid JSON text, Infinity, test set plus testFraction, targets option", () => {
    expect(() => parseUserData("{x:", "json")).toThrow(/^JSON: not valid JSON/);
    expect(() => parseUserData('{"x": [[1e999]], "y": [1]}', "json"))
      .toThrow("JSON x[0][0]: Infinity is not a finite number");
    const doc = { x: [[1], [2]], y: [1, 2], test: { x: [[1]], y: [1] } };
    expect(() => parseUserData(JSON.stringify(doc), "json", { testFraction: 0.5 }))
      .toThrow("give either an explicit test set or testFraction, not both");
    expect(() => parseUserData(JSON.stringify(doc), "json", { targets: ["y"] })).toThrow(/applies to CSV only/);
  });
});

describe("userTask", () => {
  it("defaults: [dIn, 20, 20, dOut], loss by kind, two-moons-like schedule; make returns the data", async () => {
    const cls = csv("a,b,c\n0,1,u\n1,0,v\n");
    const t = userTask(cls);
    expect(t.settings.model).toEqual({ shape: [2, 20, 20, 2], layout: "line", inFold: 1 });
    expect([t.settings.loss, t.settings.steps, t.settings.lr, t.settings.l0, t.settings.topK])
      .toEqual(["ce", 10000, 2e-3, 0.2, 10]);
    expect(t.settings.lambda).toEqual([{ from: 0, value: 1e-3 }, { from: 5000, value: 1e-2 }]);
    expect(t.settings.batch).toBeUndefined();
    expect(await t.make(createEngineSync(), 0)).toBe(cls);
    const reg = userTask(json({ x: [[1]], y: [[1, 2, 3]] }));
    expect([reg.settings.loss, ...reg.settings.model.shape]).toEqual(["mse", 1, 20, 20, 3]);
  });

  it("overrides win; the λ switch follows steps; large data get batch 100", () => {
    const d = json({ x: Array.from({ length: 1001 }, (_, i) => [i]), y: Array.from({ length: 1001 }, (_, i) => [i]) });
    const t = userTask(d, { steps: 400, lr: 1e-2, name: "mine" });
    expect([t.name, t.settings.steps, t.settings.lr, t.settings.batch]).toEqual(["mine", 400, 1e-2, 100]);
    expect(t.settings.lambda[1]).toEqual({ from: 200, value: 1e-2 });
    expect(t.description).toMatch(/regression, 1 inputs, 1 targets, 1001 train \/ 0 test/);
  });
});
