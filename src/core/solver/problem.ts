/** An allocation problem as users write it (the `gpu-workbench plan` file), checked into a typed form. */
import { findGpu, plannableGiB } from '../catalog/gpus.ts';
import { findModel } from '../catalog/models.ts';
import type { ModelArchitecture } from '../catalog/architecture.ts';
import type { Result } from '../result.ts';
import { KV_CACHE_DTYPES, type KvCacheDtype } from '../sizing/kvCache.ts';
import { GIB, replicaFootprintBytes } from '../sizing/servingMemory.ts';

export interface GpuPool {
  type: string;
  count: number;
  memoryGiB: number;
  costPerHour: number;
}

export interface ModelDemand {
  name: string;
  /** Memory of one replica per GPU it spans (a TP=k replica uses k GPUs with this much each). */
  memoryGiB: number;
  replicas: number;
  tp: number;
  /** Given as a model and serving settings: what the exports run. */
  serving?: { model: string; maxModelLen: number; maxNumSeqs: number; kvCacheDtype: KvCacheDtype };
}

export interface PackingProblem {
  objective: 'cost' | 'gpus';
  gpus: GpuPool[];
  models: ModelDemand[];
}

/** Size caps: problems past these are refused with a message, not attempted. */
export const PROBLEM_LIMITS = {
  gpuTypes: 32,
  gpus: 4096,
  models: 1000,
  replicas: 10_000,
  tp: 64,
  /** The arc-flow model has one node per GiB of a GPU: no GPU has more than a few hundred. */
  memoryGiB: 4096,
  /** GLPK's names hold 255 characters; a name becomes part of row and column names. */
  nameLength: 200,
} as const;

/** Why a GPU type or model name cannot be used, or undefined: short, printable, one line. */
export function badName(name: string): string | undefined {
  if (name.length > PROBLEM_LIMITS.nameLength) return `is longer than ${PROBLEM_LIMITS.nameLength} characters`;
  // Control characters (C0, DEL, C1) would reach GLPK's names and the terminal.
  // oxlint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'holds a control character';
  return undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const whole = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

export function parsePackingProblem(raw: unknown): Result<PackingProblem> {
  const fail = (message: string): Result<PackingProblem> => ({ ok: false, message });
  if (!isRecord(raw)) return fail('the problem must be a JSON object with "gpus" and "models"');
  const objective = raw.objective ?? 'cost';
  if (objective !== 'cost' && objective !== 'gpus') return fail('"objective" must be "cost" or "gpus"');
  if (!Array.isArray(raw.gpus) || raw.gpus.length === 0) return fail('"gpus" must be a non-empty list');
  if (!Array.isArray(raw.models) || raw.models.length === 0) return fail('"models" must be a non-empty list');
  if (raw.gpus.length > PROBLEM_LIMITS.gpuTypes) return fail(`at most ${PROBLEM_LIMITS.gpuTypes} GPU types`);
  if (raw.models.length > PROBLEM_LIMITS.models) return fail(`at most ${PROBLEM_LIMITS.models} models`);
  const gpus: GpuPool[] = [];
  for (const [i, g] of raw.gpus.entries()) {
    if (!isRecord(g) || typeof g.type !== 'string' || g.type === '') return fail(`gpus[${i}]: "type" must be a name`);
    const typeProblem = badName(g.type);
    if (typeProblem) return fail(`gpus[${i}]: "type" ${typeProblem}`);
    if (!whole(g.count)) return fail(`gpus[${i}] (${g.type}): "count" must be a whole number`);
    // A catalog type (h100-sxm, l40s, ...) brings its memory (as CUDA reports it) and on-demand price.
    const known = findGpu(g.type);
    const memoryGiB = g.memoryGiB ?? (known ? plannableGiB(known.memoryMiB - known.reservedMiB) : undefined);
    if (!positive(memoryGiB))
      return fail(`gpus[${i}] (${g.type}): "memoryGiB" must be positive (or use a catalog type such as h100-sxm)`);
    if (memoryGiB > PROBLEM_LIMITS.memoryGiB)
      return fail(`gpus[${i}] (${g.type}): "memoryGiB" must be at most ${PROBLEM_LIMITS.memoryGiB}`);
    const cost = g.costPerHour ?? known?.pricePerHour ?? 0;
    if (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0)
      return fail(`gpus[${i}] (${g.type}): "costPerHour" must be a number >= 0`);
    if (gpus.some((p) => p.type === g.type)) return fail(`gpus[${i}]: type "${g.type}" is listed twice`);
    gpus.push({ type: g.type, count: g.count, memoryGiB, costPerHour: cost });
  }
  if (gpus.reduce((n, g) => n + g.count, 0) > PROBLEM_LIMITS.gpus)
    return fail(`at most ${PROBLEM_LIMITS.gpus} GPUs in all`);
  const models: ModelDemand[] = [];
  for (const [i, m] of raw.models.entries()) {
    if (!isRecord(m) || typeof m.name !== 'string' || m.name === '') return fail(`models[${i}]: "name" must be a name`);
    const nameProblem = badName(m.name);
    if (nameProblem) return fail(`models[${i}]: "name" ${nameProblem}`);
    const replicas = m.replicas ?? 1;
    const tp = m.tp ?? 1;
    let memoryGiB = m.memoryGiB;
    let serving: ModelDemand['serving'];
    if (m.memoryGiB === undefined && typeof m.model === 'string') {
      const sized = sizeReplica(m, typeof tp === 'number' ? tp : 1);
      if (typeof sized === 'string') return fail(`models[${i}] (${m.name}): ${sized}`);
      ({ memoryGiB, serving } = sized);
    }
    if (!positive(memoryGiB))
      return fail(`models[${i}] (${m.name}): "memoryGiB" must be positive (or give "model" with serving settings)`);
    if (memoryGiB > PROBLEM_LIMITS.memoryGiB)
      return fail(`models[${i}] (${m.name}): "memoryGiB" must be at most ${PROBLEM_LIMITS.memoryGiB}`);
    if (!whole(replicas) || replicas === 0)
      return fail(`models[${i}] (${m.name}): "replicas" must be a whole number >= 1`);
    if (!whole(tp) || tp === 0 || tp > PROBLEM_LIMITS.tp)
      return fail(`models[${i}] (${m.name}): "tp" must be a whole number from 1 to ${PROBLEM_LIMITS.tp}`);
    if (models.some((p) => p.name === m.name)) return fail(`models[${i}]: name "${m.name}" is listed twice`);
    models.push({ name: m.name, memoryGiB, replicas, tp, ...(serving ? { serving } : {}) });
  }
  if (models.reduce((n, m) => n + m.replicas, 0) > PROBLEM_LIMITS.replicas)
    return fail(`at most ${PROBLEM_LIMITS.replicas} replicas in all`);
  return { ok: true, value: { objective, gpus, models } };
}

/** Where a problem gives no context length: 8192 tokens, or the model's own limit where shorter. */
export function defaultContextLength(a: ModelArchitecture): number {
  return Math.min(8192, a.maxPositionEmbeddings ?? 8192);
}

/**
 * A model given by id and serving settings instead of memoryGiB: the sizing engine's footprint per
 * GPU (weights / TP, vLLM's activation peak and runtime, KV cache for `concurrency` requests of
 * maxModelLen; default 1, the least vLLM starts with), rounded up to 0.01 GiB.
 */
function sizeReplica(
  m: Record<string, unknown>,
  tp: number,
): { memoryGiB: number; serving: NonNullable<ModelDemand['serving']> } | string {
  const model = m.model as string;
  const a = findModel(model)?.architecture;
  if (!a) return `"model" ${JSON.stringify(model.slice(0, 80))} is not a built-in model id (or give "memoryGiB")`;
  const limit = a.maxPositionEmbeddings ?? 8192;
  const maxModelLen = m.maxModelLen ?? defaultContextLength(a);
  if (!whole(maxModelLen) || maxModelLen === 0 || maxModelLen > limit)
    return `"maxModelLen" must be a whole number from 1 to the model's ${limit}`;
  const maxNumSeqs = m.maxNumSeqs ?? 256;
  if (!whole(maxNumSeqs) || maxNumSeqs === 0 || maxNumSeqs > 4096)
    return '"maxNumSeqs" must be a whole number from 1 to 4096';
  const concurrency = m.concurrency ?? 1;
  if (!positive(concurrency) || concurrency > 4096)
    return '"concurrency" (requests of maxModelLen held at once) must be a number from 1 to 4096';
  const kvCacheDtype = (m.kvCacheDtype ?? 'auto') as KvCacheDtype;
  if (!KV_CACHE_DTYPES.includes(kvCacheDtype)) return `"kvCacheDtype" must be one of ${KV_CACHE_DTYPES.join(', ')}`;
  if (a.numAttentionHeads % tp !== 0)
    return `"tp" ${tp} does not divide the model's ${a.numAttentionHeads} attention heads`;
  const bytes = replicaFootprintBytes(
    a,
    { tp, kvCacheDtype, maxModelLen, maxNumSeqs, maxNumBatchedTokens: Math.max(2048, maxNumSeqs), blockSize: 16 },
    concurrency,
  );
  return { memoryGiB: Math.ceil((bytes / GIB) * 100) / 100, serving: { model, maxModelLen, maxNumSeqs, kvCacheDtype } };
}
