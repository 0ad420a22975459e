import { rmSync } from "node:fs";

/** Remove the temp database and secrets (keep them with SESAME_E2E_KEEP=1 to debug). */
export default function teardown(): void {
  const dir = process.env.SESAME_E2E_DIR;
  if (dir && !process.env.SESAME_E2E_KEEP && dir.includes("sesame-e2e")) rmSync(dir, { recursive: true, force: true });
}
