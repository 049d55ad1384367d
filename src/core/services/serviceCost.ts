/**
 * What a running model server costs: GPUs x $/GPU-hour, and dollars per million output tokens at
 * the generation rate measured from its own counters, beside the figure the allocation plan
 * predicted for the same model (cost of a replica over the output tokens it was sized to serve).
 */
import { sameModelName } from '../catalog/modelNames.ts';

const SECONDS_PER_HOUR = 3600;

/** $/h: GPUs held x the price of one GPU-hour. */
export function serviceCostPerHour(gpuCount: number, pricePerGpuHour: number): number {
  return gpuCount * pricePerGpuHour;
}

/** $ per million output tokens: cost/h / (tokens/s x 3600 s/h) x 1e6. Undefined without tokens. */
export function dollarsPerMillionTokens(
  costPerHour: number,
  outputTokensPerSecond: number | undefined,
): number | undefined {
  if (outputTokensPerSecond === undefined || !(outputTokensPerSecond > 0) || !Number.isFinite(costPerHour))
    return undefined;
  return (costPerHour / (outputTokensPerSecond * SECONDS_PER_HOUR)) * 1e6;
}

/** One provisioning row of a solved plan (PlanView.provisioning.rows): a replica's cost and throughput. */
export interface PlannedReplica {
  model: string;
  requestsPerSecond: number;
  costPerHour: number;
}

/**
 * The plan's predicted $ per million output tokens for a model: a replica's $/h over the output
 * tokens it serves at its planned requests/s (requests/s x output tokens per request). Undefined
 * when the plan has no row for the model.
 */
export function plannedDollarsPerMillion(
  rows: readonly PlannedReplica[],
  outputTokensPerRequest: (model: string) => number | undefined,
  model: string,
): number | undefined {
  const row = rows.find((r) => sameModelName(model, r.model) || sameModelName(r.model, model));
  if (!row) return undefined;
  const tokens = outputTokensPerRequest(row.model);
  if (tokens === undefined) return undefined;
  return dollarsPerMillionTokens(row.costPerHour, row.requestsPerSecond * tokens);
}
