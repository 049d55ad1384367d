/** Small shared pieces of the rules: GPU counts of a unit and edits that change them. */
import type { GpuSpec } from '../catalog/gpus.ts';
import type { ServingUnit, TextEdit } from './types.ts';

/** GPUs a unit reserves as a whole number, or undefined when it does not say (or says "all"). */
export function reservedGpus(unit: ServingUnit): number | undefined {
  const g = unit.gpus;
  if (!g || g.all || g.kind === 'ray') return undefined;
  return g.limit?.value ?? g.request?.value;
}

export function parallelism(unit: ServingUnit): number {
  return (unit.engine?.tensorParallel?.value ?? 1) * (unit.engine?.pipelineParallel?.value ?? 1);
}

/** Edits that set every GPU count the unit states (request and limit, or compose count). */
export function setGpuCount(unit: ServingUnit, count: number): TextEdit[] {
  const g = unit.gpus;
  if (!g) return [];
  return [g.limit, g.request, g.all]
    .filter((v): v is NonNullable<typeof v> => Boolean(v))
    .map((v) => ({ span: v.span, newText: String(count) }));
}

export function hourly(gpu: GpuSpec | undefined, gpus: number): string {
  return gpu ? ` ($${(gpu.pricePerHour * gpus).toFixed(2)}/h at ${gpu.name} list price)` : '';
}
