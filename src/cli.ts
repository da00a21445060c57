// The command line: brainwire train | draw | import | discover | study | serve (flags: src/cli/program.ts).
// Errors have one style (src/cli/errors.ts): "brainwire: <flag or file>: <problem>", exit code 2 for a
// user's mistake (commander's own usage errors included), 1 for anything else.
import { CommanderError } from "commander";
import { discoverCommand } from "./cli/discover-command.ts";
import { drawCommand } from "./cli/draw-command.ts";
import { report } from "./cli/errors.ts";
import { importCommand } from "./cli/import-command.ts";
import { cliProgram } from "./cli/program.ts";
import { studyCommand } from "./cli/study-command.ts";
import { trainCommand } from "./cli/train-command.ts";

const program = cliProgram({
  train: (opts) => trainCommand(opts as Parameters<typeof trainCommand>[0]),
  draw: (model, opts) => drawCommand(model, opts as Parameters<typeof drawCommand>[1]),
  import: (file, opts) => importCommand(file, opts as Parameters<typeof importCommand>[1]),
  discover: (model, opts) => discoverCommand(model, opts),
  study: (opts) => studyCommand(opts as Parameters<typeof studyCommand>[0]),
  serve: async (opts) => {
    const { startServer } = await import("../server/node.ts");
    // Bundled into dist/cli.js, so the page sits beside it in dist/web/.
    const { url } = await startServer({ ...opts, pagePath: new URL("./web/index.html", import.meta.url) });
    console.log(`brainwire: serving the page and the API at ${url} (Ctrl-C stops)`);
  },
});

program.parseAsync().catch((err: unknown) => {
  // commander has printed its own message (help, version, or a usage error).
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? 0 : 2;
  else process.exitCode = report(err);
});
