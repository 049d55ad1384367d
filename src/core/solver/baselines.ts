/** The baselines shown beside every optimum: first-fit decreasing, and one replica shard per GPU. */
import type { PlacedGpu, Placement } from './plan.ts';
import type { ModelDemand, PackingProblem } from './problem.ts';
import { FLOAT_TOLERANCE } from './tolerance.ts';

interface OpenGpu extends PlacedGpu {
  free: number;
}

/** Replicas, biggest footprint (shard x TP) first. */
function replicasBySize(problem: PackingProblem): { model: ModelDemand; replica: number }[] {
  const list = problem.models.flatMap((model) =>
    Array.from({ length: model.replicas }, (_, replica) => ({ model, replica })),
  );
  return list.sort(
    (a, b) =>
      b.model.memoryGiB * b.model.tp - a.model.memoryGiB * a.model.tp ||
      a.model.name.localeCompare(b.model.name) ||
      a.replica - b.replica,
  );
}

/** Cheapest per GiB first; for "gpus", biggest first (fewest GPUs). */
function typeOrder(problem: PackingProblem) {
  return [...problem.gpus].sort((a, b) =>
    problem.objective === 'gpus'
      ? b.memoryGiB - a.memoryGiB
      : a.costPerHour / a.memoryGiB - b.costPerHour / b.memoryGiB,
  );
}

/**
 * First-fit decreasing: each replica goes on the first open GPUs of one type with room for its
 * TP shards (distinct GPUs), else on newly opened GPUs of the first type in cost order that has
 * enough left. Returns undefined when some replica cannot be placed.
 */
export function firstFitDecreasing(problem: PackingProblem): Placement | undefined {
  const open: OpenGpu[] = [];
  const opened = new Map<string, number>();
  for (const { model, replica } of replicasBySize(problem)) {
    let placed = false;
    for (const pool of typeOrder(problem)) {
      if (model.memoryGiB > pool.memoryGiB) continue;
      const candidates = open.filter((g) => g.gpuType === pool.type && g.free >= model.memoryGiB - FLOAT_TOLERANCE);
      const fresh = Math.min(
        model.tp - Math.min(candidates.length, model.tp),
        pool.count - (opened.get(pool.type) ?? 0),
      );
      if (candidates.length + fresh < model.tp) continue;
      const chosen = candidates.slice(0, model.tp);
      while (chosen.length < model.tp) {
        const index = opened.get(pool.type) ?? 0;
        opened.set(pool.type, index + 1);
        const gpu: OpenGpu = { gpuType: pool.type, gpuIndex: index, replicas: [], free: pool.memoryGiB };
        open.push(gpu);
        chosen.push(gpu);
      }
      for (const gpu of chosen) {
        gpu.replicas.push({ model: model.name, replica, memoryGiB: model.memoryGiB });
        gpu.free -= model.memoryGiB;
      }
      placed = true;
      break;
    }
    if (!placed) return undefined;
  }
  return { gpus: open.map(({ free: _free, ...gpu }) => gpu) };
}

/** Every shard on a GPU of its own: how people often start. */
export function onePerGpu(problem: PackingProblem): Placement | undefined {
  const opened = new Map<string, number>();
  const gpus: PlacedGpu[] = [];
  for (const { model, replica } of replicasBySize(problem)) {
    const pool = typeOrder(problem).find(
      (p) => p.memoryGiB >= model.memoryGiB && p.count - (opened.get(p.type) ?? 0) >= model.tp,
    );
    if (!pool) return undefined;
    for (let s = 0; s < model.tp; s++) {
      const index = opened.get(pool.type) ?? 0;
      opened.set(pool.type, index + 1);
      gpus.push({
        gpuType: pool.type,
        gpuIndex: index,
        replicas: [{ model: model.name, replica, memoryGiB: model.memoryGiB }],
      });
    }
  }
  return { gpus };
}
