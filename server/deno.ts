// Deno entry: `deno run --allow-net --allow-read --allow-env server/deno.ts [port]` (after `npm run build`
// for the page; npm packages come from node_modules). The same app as on Node.
import { createApp } from "./app.ts";

declare const Deno: {
  args: string[];
  readTextFile(path: URL): Promise<string>;
  serve(o: { port: number; hostname: string; onListen?: (a: { port: number }) => void },
    handler: (req: Request) => Response | Promise<Response>): unknown;
};

const page = await Deno.readTextFile(new URL("../dist/web/index.html", import.meta.url)).catch(() => undefined);
const port = Number(Deno.args[0] ?? 8787);
Deno.serve({ port, hostname: "127.0.0.1", onListen: (a) => console.log(`brainwire: http://127.0.0.1:${a.port}/`) },
  createApp({ page }).fetch);
