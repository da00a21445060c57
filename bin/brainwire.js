#!/usr/bin/env node
// The CLI is the bundle dist/cli.js; `npm ci` builds it (the "prepare" script), as do npm start and npm test.
import { existsSync } from "node:fs";

if (!existsSync(new URL("../dist/cli.js", import.meta.url))) {
  console.error("brainwire: not built yet: run `npm run build` in the brainwire folder (npm ci, npm start and " +
    "npm test build it too)");
  process.exit(1);
}
await import("../dist/cli.js");
