/**
 * An exact dynamic program for small single-type placements, the third method beside first-fit
 * decreasing and the arc-flow MIP: over the subsets of replicas (a bitmask), the fewest GPUs that
 * hold a subset and, among those, the least memory used on the last GPU opened. With one GPU type
 * the fewest GPUs is also the least cost. 2^n states: above MAX_DP_REPLICAS it is skipped, and says why.
 */
import type { PackingProblem } from './problem.ts';
import { FLOAT_TOLERANCE } from './tolerance.ts';

/** 2^16 = 65,536 subsets x 16 replicas: about a million steps, milliseconds. */
export const MAX_DP_REPLICAS = 16;

export type DpOutcome = { ok: true; gpusUsed: number; costPerHour: number } | { ok: false; reason: string };

export function solvePackingDp(problem: PackingProblem): DpOutcome {
  if (problem.gpus.length !== 1)
    return { ok: false, reason: `skipped: the DP handles one GPU type (this pool has ${problem.gpus.length})` };
  if (problem.models.some((m) => m.tp !== 1))
    return { ok: false, reason: 'skipped: the DP handles TP=1 replicas only' };
  const pool = problem.gpus[0]!;
  const sizes = problem.models.flatMap((m) => Array.from({ length: m.replicas }, () => m.memoryGiB));
  if (sizes.length > MAX_DP_REPLICAS)
    return {
      ok: false,
      reason: `skipped: ${sizes.length} replicas make 2^${sizes.length} subsets (the DP stops at ${MAX_DP_REPLICAS})`,
    };
  if (sizes.some((s) => s > pool.memoryGiB + FLOAT_TOLERANCE))
    return { ok: false, reason: 'no placement: a replica is larger than the GPU' };
  const states = 1 << sizes.length;
  const gpus = new Float64Array(states).fill(Infinity);
  const fill = new Float64Array(states).fill(Infinity);
  gpus[0] = 0;
  fill[0] = pool.memoryGiB; // "the last GPU is full": the first replica opens one
  for (let mask = 0; mask < states; mask++) {
    if (gpus[mask] === Infinity) continue;
    for (let i = 0; i < sizes.length; i++) {
      if (mask & (1 << i)) continue;
      const size = sizes[i]!;
      const fits = fill[mask]! + size <= pool.memoryGiB + FLOAT_TOLERANCE;
      const nextGpus = fits ? gpus[mask]! : gpus[mask]! + 1;
      const nextFill = fits ? fill[mask]! + size : size;
      const next = mask | (1 << i);
      if (nextGpus < gpus[next]! || (nextGpus === gpus[next]! && nextFill < fill[next]!)) {
        gpus[next] = nextGpus;
        fill[next] = nextFill;
      }
    }
  }
  const used = gpus[states - 1]!;
  if (used > pool.count)
    return { ok: false, reason: `no placement: it needs ${used} GPUs, the pool has ${pool.count}` };
  return { ok: true, gpusUsed: used, costPerHour: used * pool.costPerHour };
}
