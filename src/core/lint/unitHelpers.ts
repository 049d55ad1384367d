/** Small shared pieces of the rules: GPU counts of a unit, edits that change them, and wording. */
import type { GpuSpec } from '../catalog/gpus.ts';
import type { EngineCommand, ServingUnit, TextEdit } from './types.ts';

/** GPUs a pod (or compose service, or docker run) reserves as a whole number; undefined when it does not say. */
export function reservedGpus(unit: ServingUnit): number | undefined {
  const g = unit.gpus;
  if (!g || g.all || g.kind === 'ray') return undefined;
  return g.limit?.value ?? g.request?.value;
}

/** How an engine spreads over GPUs, and how many it needs in the pod and in its whole group. */
export interface EnginePlan {
  /** undefined: TGI without --num-shard, which shards over every GPU it sees. */
  tp?: number;
  pp: number;
  /** Data-parallel ranks that take GPUs of their own (SGLang's DP attention takes none). */
  dp: number;
  /** GPUs of one engine instance in all (every node): TP x PP x DP. */
  total?: number;
  /** Nodes the engine says it spans (vLLM / SGLang --nnodes, vLLM DP over nodes). */
  nodes: number;
  /** GPUs this pod (or host) must have: the total over the nodes, or DP-local ranks x TP x PP. */
  perNode?: number;
  /** The engine may take GPUs of other nodes that the file does not show (a Ray cluster). */
  elsewhere: boolean;
}

export function enginePlan(unit: ServingUnit): EnginePlan {
  const e = unit.engine;
  // TGI: no --num-shard means every visible GPU (launcher/src/main.rs, find_num_shards: (None, None) => num_cuda_devices()).
  const reserved = unit.groupGpus ?? reservedGpus(unit);
  const tp = e?.tensorParallel?.value ?? (e?.engine === 'tgi' ? reserved : 1);
  const pp = e?.pipelineParallel?.value ?? 1;
  const dpAll = e?.dataParallel?.value ?? 1;
  const dp = e?.engine === 'sglang' && e.dpAttention ? 1 : dpAll;
  const total = tp === undefined ? undefined : tp * pp * dp;
  const nnodes = e?.nnodes?.value ?? 1;
  let perNode = total;
  let nodes = 1;
  if (total !== undefined && e?.dataParallelLocal && e.engine === 'vllm') {
    perNode = tp! * pp * e.dataParallelLocal.value;
    nodes = Math.max(1, Math.round(dp / e.dataParallelLocal.value));
  } else if (total !== undefined && nnodes > 1) {
    perNode = Math.ceil(total / nnodes);
    nodes = nnodes;
  }
  const elsewhere = e?.distributedBackend?.value === 'ray' || unit.rayNode === 'head';
  return { tp, pp, dp, total, nodes, perNode, elsewhere };
}

/**
 * Data or expert parallelism (DP > 1, SGLang's DP attention, EP): chosen for throughput across
 * ranks, which a one-engine concurrency test does not measure, so no smaller layout is proposed.
 */
export function spreadsOverRanks(e: EngineCommand | undefined): boolean {
  return (e?.dataParallel?.value ?? 1) > 1 || e?.dpAttention === true || e?.expertParallel !== undefined;
}

/** TP x PP (x DP ranks with GPUs of their own) that one engine instance uses. */
export function parallelism(unit: ServingUnit): number {
  return enginePlan(unit).total ?? reservedGpus(unit) ?? 1;
}

/** Edits that set every GPU count the unit states (request and limit, or compose count). */
export function setGpuCount(unit: ServingUnit, count: number): TextEdit[] {
  const g = unit.gpus;
  if (!g) return [];
  return [g.limit, g.request, g.all]
    .filter((v): v is NonNullable<typeof v> => Boolean(v))
    .map((v) => ({ span: v.span, newText: String(count) }));
}

/** 1,234,567 */
export function thousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function plural(n: number, word: string): string {
  return `${thousands(n)} ${word}${n === 1 ? '' : 's'}`;
}

export function hourly(gpu: GpuSpec | undefined, gpus: number): string {
  return gpu ? ` ($${(gpu.pricePerHour * gpus).toFixed(2)}/h at ${gpu.name} list price)` : '';
}

/** "2 replicas x 1 extra GPU = 2 GPUs ($8.00/h ...)" or "1 extra GPU ($4.00/h ...)". */
export function wasteText(extraPerReplica: number, replicas: number | undefined, gpu: GpuSpec | undefined): string {
  const r = replicas && replicas > 1 ? replicas : 1;
  if (r === 1) return `${plural(extraPerReplica, 'idle GPU')}${hourly(gpu, extraPerReplica)}`;
  return `${plural(r, 'replica')} x ${plural(extraPerReplica, 'idle GPU')} = ${plural(r * extraPerReplica, 'GPU')}${hourly(gpu, r * extraPerReplica)}`;
}
