// Bun entry: `bun server/bun.ts [port]` (after `npm run build` for the page). The same app as on Node.
import { createApp } from "./app.ts";

declare const Bun: {
  argv: string[];
  file(path: string): { text(): Promise<string> };
  serve(o: { port: number; hostname: string; fetch: (req: Request) => Response | Promise<Response> }): { url: URL };
};

const page = await Bun.file(new URL("../dist/web/index.html", import.meta.url).pathname).text().catch(() => undefined);
const port = Number(Bun.argv[2] ?? 8787);
const server = Bun.serve({ port, hostname: "127.0.0.1", fetch: createApp({ page }).fetch });
console.log(`brainwire: ${server.url}`);
