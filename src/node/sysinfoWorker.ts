/**
 * Worker-thread entry (bundled to dist/sysinfo-worker.js). systeminformation's graphics() runs
 * its probes synchronously (execSync), so it runs here, never on the extension host's loop.
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { graphics } from 'systeminformation';
import { errorMessage } from '../core/errors.ts';

try {
  // On Linux this lowers only this thread (and the probes it starts), so on a busy 2-core
  // machine the extension host's own thread keeps the CPU it needs.
  setPriority(19);
} catch {
  // not permitted or not supported: run at normal priority
}

graphics().then(
  (data) => parentPort?.postMessage({ ok: true, controllers: data.controllers }),
  (error: unknown) => parentPort?.postMessage({ ok: false, message: errorMessage(error) }),
);
