// brainwire/engine: the SIMD WASM module and its memory (src/engine).
export { createEngine, createEngineSync, elementPtr, Engine, type AnyBuf, type Buf, type ElementType } from "../engine/engine.ts";
export { Rng } from "../engine/random.ts";
