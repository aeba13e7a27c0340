import { defineConfig } from "vitest/config";

// Node 20 has no native `using`; Node 24 has. Lower it only where the runtime needs that, so the
// Node 24 run exercises native explicit resource management.
const nativeUsing = Number(process.versions.node.split(".")[0]) >= 24;

export default defineConfig({
  oxc: { target: nativeUsing ? "esnext" : "es2022" },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    pool: "threads",
  },
});
