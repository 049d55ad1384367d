/**
 * Worker-thread entry (bundled to dist/sysinfo-worker.js). systeminformation's graphics() runs
 * its probes synchronously (execSync), so it runs here, never on the extension host's loop.
 */
import { parentPort } from 'node:worker_threads';
import { graphics } from 'systeminformation';

graphics().then(
  (data) => parentPort?.postMessage({ ok: true, controllers: data.controllers }),
  (error: unknown) => parentPort?.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
);
