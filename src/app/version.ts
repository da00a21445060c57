// The version string, read once from package.json (bundled in at build time, so no runtime reads it).
import pkg from "../../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
