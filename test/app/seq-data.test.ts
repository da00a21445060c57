import { describe, expect, it } from "vitest";
import { isSeqDataInput, readSeqData, resolveSeqData, seqDataRecord, seqDataTask } from "../../src/app/seq-data.ts";
import { UserError } from "../../src/app/user-error.ts";

const corpus = "to be or not to be, that is the question\n".repeat(20);

describe("the user's sequences in a run spec", () => {
  it("a text with --tokenizer char makes a character-level language model, recorded with its hash", () => {
    const d = resolveSeqData({ tokenizer: "char", text: corpus, name: "corpus.txt", ctx: 32 });
    expect(d).toEqual({ format: "text", tokenizer: "char", text: corpus, name: "corpus.txt", ctx: 32 });
    const task = seqDataTask(d);
    expect([task.family, task.name, task.settings.model.ctx, task.settings.model.vocab]).toEqual(
      ["transformer", "user-text", 32, new Set(corpus).size]);
    expect(task.description).toMatch(/character-level language model on corpus\.txt: vocab \d+, ctx 32/);
    const data = readSeqData(d);
    const r = seqDataRecord(d, data);
    expect(r).toMatchObject({ format: "text", tokenizer: "char", name: "corpus.txt", ctx: 32, vocab: data.vocab });
    expect(r.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(seqDataRecord(d, data).hash).not.toBe(seqDataRecord({ ...d, text: corpus + "!" }, data).hash);
  });

  it("a .json file is token ids", () => {
    const d = resolveSeqData({ text: JSON.stringify({ sequences: [[1, 2, 3], [3, 2, 1]] }), name: "ids.json" });
    expect(d.format).toBe("tokens");
    expect(seqDataTask(d).name).toBe("user-tokens");
  });

  it("tells sequence data from tables", () => {
    expect(isSeqDataInput({ tokenizer: "char", text: "" })).toBe(true);
    expect(isSeqDataInput({ text: "", name: "a.txt" })).toBe(true);
    expect(isSeqDataInput({ text: "", name: "a.csv" })).toBe(false);
    expect(isSeqDataInput({ text: "", name: "a.json" })).toBe(false); // a JSON table unless said otherwise
  });

  it.each([
    ["a .txt without tokenizer", { text: corpus, name: "corpus.txt" }, "data.tokenizer", /needs a tokenizer: "char"/],
    ["an unknown tokenizer", { tokenizer: "bpe", text: corpus }, "data.tokenizer", /must be one of char, got "bpe"/],
    ["ids with a tokenizer", { format: "tokens", tokenizer: "char", text: "{}" }, "data.tokenizer", /token ids need no tokenizer/],
    ["a test fraction of 1", { tokenizer: "char", text: corpus, testFraction: 1 }, "data.testFraction", /must be in \(0, 1\)/],
    ["too little text", { tokenizer: "char", text: "ab", name: "tiny.txt" }, "data", /tiny\.txt: the text has 2 characters/],
    ["broken JSON", { format: "tokens", text: "{", name: "t.json" }, "data", /t\.json: not valid JSON/],
    ["text of unknown kind", { text: corpus }, "data", /give a tokenizer \(char\) for text/],
  ] as const)("refuses %s as a UserError of its field", (_what, raw, field, message) => {
    let err: unknown;
    try {
      readSeqData(resolveSeqData(raw));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).field).toBe(field);
    expect((err as UserError).problem).toMatch(message);
  });
});
