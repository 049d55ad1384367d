/** Where a serving command may run (free GPUs from the inventory) and whether a PID still is the engine to stop. */
import { isGpuBusy, MIB_PER_GIB, type Gpu, type Host } from '../gpu/inventory.ts';
import { recognizeEngine, type RecognizedEngine } from './engineMetrics.ts';

export interface FreeGpus {
  /** GPUs that run nothing, compute nothing and hold under 1 GiB (the GPUs view's "idle"). */
  free: Gpu[];
  total: number;
  /** Of the free ones, those with at least the memory one GPU of the command needs. */
  fitting: Gpu[];
}

/** The free GPUs of a host and, given the per-GPU need in GiB, those with room for it. */
export function freeGpus(host: Host, perGpuGiB?: number): FreeGpus {
  const free = host.status.kind === 'ok' ? host.gpus.filter((g) => !isGpuBusy(g)) : [];
  const fitting =
    perGpuGiB === undefined
      ? free
      : free.filter((g) => g.memoryFreeMiB !== undefined && g.memoryFreeMiB / MIB_PER_GIB >= perGpuGiB);
  return { free, total: host.gpus.length, fitting };
}

/** "2 of 4 GPUs free (0, 3), 2 with 71.2 GiB free" — what the Run… picker says of a host. */
export function describeFreeGpus(host: Host, perGpuGiB?: number, needed = 1): string {
  if (host.status.kind !== 'ok') return `${host.status.kind}: ${host.status.reason}`;
  if (host.gpus.length === 0) return 'no GPUs found';
  const { free, total, fitting } = freeGpus(host, perGpuGiB);
  const list = free.map((g) => g.index ?? '?').join(', ');
  const head = `${free.length} of ${total} GPUs free${free.length > 0 ? ` (${list})` : ''}`;
  if (perGpuGiB === undefined) return head;
  const room = `${fitting.length} with ${perGpuGiB.toFixed(1)} GiB free`;
  return `${head}, ${room}${fitting.length < needed ? ` — needs ${needed}` : ''}`;
}

/**
 * Whether the process's command line (now) is still the engine the view showed: same engine and
 * port, and the same model when both say one. A PID reused by another program is never stopped.
 */
export function isSameEngine(expected: RecognizedEngine, argvNow: readonly string[] | undefined): boolean {
  if (!argvNow || argvNow.length === 0) return false;
  const now = recognizeEngine(argvNow);
  if (!now || now.engine !== expected.engine || now.port !== expected.port) return false;
  return expected.model === undefined || now.model === undefined || expected.model === now.model;
}
