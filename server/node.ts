// Node entry: reads the built page, serves the app with @hono/node-server. `brainwire serve` calls this.
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp, type AppOptions } from "./app.ts";

export interface ServeOptions extends Omit<AppOptions, "page"> {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** The built page (dist/web/index.html); the API still works without it. */
  pagePath?: string | URL;
}

export async function startServer(o: ServeOptions = {}): Promise<{ url: string; close: () => Promise<void> }> {
  const page = o.pagePath === undefined ? undefined : await readFile(o.pagePath, "utf8").catch(() => undefined);
  const app = createApp({ page, maxSteps: o.maxSteps, maxBodyBytes: o.maxBodyBytes });
  const host = o.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: o.port ?? 8787, hostname: host }, (info: AddressInfo) => {
      const shownHost = info.family === "IPv6" ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${shownHost}:${info.port}/`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
    server.once("error", reject);
  });
}
