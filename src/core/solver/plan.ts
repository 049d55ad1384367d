/** A placement: which replica shards sit on which GPU; and the independent check of one. */
import type { PackingProblem } from './problem.ts';
import { FLOAT_TOLERANCE } from './tolerance.ts';

export interface PlacedShard {
  model: string;
  /** Which replica of the model (0-based); a TP=k replica has k shards on k GPUs. */
  replica: number;
  memoryGiB: number;
}

export interface PlacedGpu {
  gpuType: string;
  /** 0-based index among the GPUs of its type. */
  gpuIndex: number;
  replicas: PlacedShard[];
}

export interface Placement {
  gpus: PlacedGpu[];
}

export function placementCost(
  problem: PackingProblem,
  placement: Placement,
): { costPerHour: number; gpusUsed: number } {
  const price = new Map(problem.gpus.map((g) => [g.type, g.costPerHour]));
  const used = placement.gpus.filter((g) => g.replicas.length > 0);
  return { costPerHour: used.reduce((sum, g) => sum + (price.get(g.gpuType) ?? 0), 0), gpusUsed: used.length };
}

/**
 * Checks a placement against the problem without trusting whoever made it: no GPU over its
 * memory, no more GPUs of a type than exist, every replica of every model placed exactly once
 * with its TP shards on TP distinct GPUs of one type. Returns the problems found.
 */
export function validatePlacement(problem: PackingProblem, placement: Placement): string[] {
  const errors: string[] = [];
  const pools = new Map(problem.gpus.map((g) => [g.type, g]));
  const seenGpu = new Set<string>();
  const perType = new Map<string, number>();
  const shards = new Map<string, { type: string; gpu: string }[]>();
  for (const gpu of placement.gpus) {
    const pool = pools.get(gpu.gpuType);
    if (!pool) {
      errors.push(`GPU type "${gpu.gpuType}" is not in the pool`);
      continue;
    }
    const key = `${gpu.gpuType}#${gpu.gpuIndex}`;
    if (seenGpu.has(key)) errors.push(`${key} appears twice`);
    seenGpu.add(key);
    if (!Number.isInteger(gpu.gpuIndex) || gpu.gpuIndex < 0 || gpu.gpuIndex >= pool.count)
      errors.push(`${key} is beyond the ${pool.count} GPUs of that type`);
    if (gpu.replicas.length > 0) perType.set(gpu.gpuType, (perType.get(gpu.gpuType) ?? 0) + 1);
    const used = gpu.replicas.reduce((sum, r) => sum + r.memoryGiB, 0);
    if (used > pool.memoryGiB + FLOAT_TOLERANCE)
      errors.push(`${key} holds ${used.toFixed(2)} GiB, more than its ${pool.memoryGiB} GiB`);
    for (const shard of gpu.replicas) {
      const id = `${shard.model}/${shard.replica}`;
      const list = shards.get(id) ?? [];
      list.push({ type: gpu.gpuType, gpu: key });
      shards.set(id, list);
    }
  }
  for (const [type, used] of perType) {
    const pool = pools.get(type);
    if (pool && used > pool.count) errors.push(`${used} ${type} GPUs used, ${pool.count} exist`);
  }
  for (const model of problem.models) {
    for (let r = 0; r < model.replicas; r++) {
      const placed = shards.get(`${model.name}/${r}`) ?? [];
      if (placed.length !== model.tp)
        errors.push(`${model.name} replica ${r}: ${placed.length} of ${model.tp} shards placed`);
      if (new Set(placed.map((p) => p.gpu)).size !== placed.length)
        errors.push(`${model.name} replica ${r}: two shards on one GPU`);
      if (new Set(placed.map((p) => p.type)).size > 1)
        errors.push(`${model.name} replica ${r}: shards on different GPU types`);
      shards.delete(`${model.name}/${r}`);
    }
    const wrongSize = placement.gpus
      .flatMap((g) => g.replicas)
      .find((s) => s.model === model.name && Math.abs(s.memoryGiB - model.memoryGiB) > FLOAT_TOLERANCE);
    if (wrongSize)
      errors.push(`${model.name}: a shard of ${wrongSize.memoryGiB} GiB, the model needs ${model.memoryGiB} GiB`);
  }
  for (const id of shards.keys()) errors.push(`${id} is not a replica the problem asks for`);
  return errors;
}
