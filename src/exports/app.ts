// brainwire/app: the application layer every face uses: raw input → run spec (plain JSON) → run. For
// job runners (a worker pool, a queue): resolve on one side, carry { kind, spec }, runRequest on the other.
export * from "../app/index.ts";
