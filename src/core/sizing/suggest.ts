/**
 * Parallelism and batch settings for a model on a GPU type, for a target load: the cheapest
 * layout (tensor parallel within a node before pipeline parallel across nodes, data-parallel
 * replicas for the rest) whose memory fits and whose roofline meets the latency targets.
 */
import type { ModelArchitecture } from '../catalog/architecture.ts';
import type { GpuSpec } from '../catalog/gpus.ts';
import { roofline, type LatencyPoint } from './roofline.ts';
import { estimateServingMemory, GIB, vllmDefaults, type ServingEstimate } from './servingMemory.ts';

export interface Workload {
  contextLength: number;
  inputTokens: number;
  outputTokens: number;
  /** Requests per second to serve, or concurrent requests to hold. */
  requestsPerSecond?: number;
  concurrency?: number;
  ttftMsMax?: number;
  tpotMsMax?: number;
}

export interface Suggestion {
  gpu: GpuSpec;
  tp: number;
  pp: number;
  replicas: number;
  gpus: number;
  costPerHour: number;
  /** Requests each replica runs at once. */
  batch: number;
  perReplica: { requestsPerSecond: number; tokensPerSecond: number; ttftMs: number; tpotMs: number };
  estimate: ServingEstimate;
  vllm: { args: string[] };
  tgi: { args: string[] };
  triton: { maxBatchSize: number; instanceCount: number; maxQueueDelayMicroseconds: number };
  reasons: string[];
  assumptions: string[];
}

export type SuggestResult =
  { ok: true; best: Suggestion; alternatives: Suggestion[] } | { ok: false; reasons: string[] };

export const GPUS_PER_NODE = 8;
const BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** TP degrees vLLM accepts for this model: powers of two up to a node that divide the heads. */
export function validTensorParallel(a: ModelArchitecture): number[] {
  return [1, 2, 4, 8].filter((tp) => a.numAttentionHeads % tp === 0 && tp <= GPUS_PER_NODE);
}

function layouts(a: ModelArchitecture): [number, number][] {
  const tps = validTensorParallel(a).map((tp): [number, number] => [tp, 1]);
  const maxTp = tps.at(-1)?.[0] ?? 1;
  // Pipeline stages across nodes only once a node's worth of tensor parallelism is not enough.
  const pps = [2, 3, 4, 6, 8].filter((pp) => pp <= a.numLayers).map((pp): [number, number] => [maxTp, pp]);
  return [...tps, ...pps];
}

function pickBatch(points: LatencyPoint[], capacity: number, tpotMsMax: number | undefined): LatencyPoint | undefined {
  const allowed = points.filter((p) => p.batch <= capacity && (tpotMsMax === undefined || p.tpotMs <= tpotMsMax));
  return allowed.at(-1);
}

/** One layout of one model on one GPU type for a workload: its per-replica capacity and cost, or why it fails. */
export function evaluateLayout(
  a: ModelArchitecture,
  gpu: GpuSpec,
  tp: number,
  pp: number,
  w: Workload,
): Suggestion | string {
  const settings = { ...vllmDefaults(a, gpu), tp, pp, maxModelLen: w.contextLength };
  const estimate = estimateServingMemory(a, gpu, settings);
  if (!estimate.fits) return `TP=${tp}${pp > 1 ? ` PP=${pp}` : ''}: ${estimate.problems[0]}`;
  const perRequestTokens = Math.min(w.contextLength, w.inputTokens + w.outputTokens);
  const capacity = Math.min(settings.maxNumSeqs, Math.floor(estimate.kvCacheTokens / perRequestTokens));
  if (capacity < 1)
    return `TP=${tp}${pp > 1 ? ` PP=${pp}` : ''}: the KV cache holds no request of ${perRequestTokens} tokens`;
  const model = roofline(a, estimate, w.inputTokens, w.outputTokens, [
    ...new Set([...BATCHES.filter((b) => b < capacity), capacity]),
  ]);
  if (w.ttftMsMax !== undefined && model.ttftMs > w.ttftMsMax)
    return `TP=${tp}: time to first token ${model.ttftMs.toFixed(0)} ms is over the ${w.ttftMsMax} ms target`;
  const point = pickBatch(model.points, capacity, w.tpotMsMax);
  if (!point) return `TP=${tp}${pp > 1 ? ` PP=${pp}` : ''}: no batch size meets ${w.tpotMsMax} ms per output token`;
  const requestSeconds = model.ttftMs / 1000 + (w.outputTokens * point.tpotMs) / 1000;
  const requestsPerSecond = point.batch / requestSeconds;
  const replicas = Math.max(
    1,
    w.requestsPerSecond ? Math.ceil(w.requestsPerSecond / requestsPerSecond) : 1,
    w.concurrency ? Math.ceil(w.concurrency / point.batch) : 1,
  );
  const gpus = replicas * tp * pp;
  const batch = point.batch;
  const reasons = [
    `Memory per GPU at TP=${tp}${pp > 1 ? `, PP=${pp}` : ''}: weights ${(estimate.weightsBytes / GIB).toFixed(1)} GiB, activations ${(estimate.activationBytes / GIB).toFixed(1)} GiB, KV cache ${(estimate.kvCacheBytes / GIB).toFixed(1)} GiB = ${estimate.kvCacheTokens} tokens.`,
    `At ${perRequestTokens} tokens per request (${w.inputTokens} in + ${w.outputTokens} out) the KV cache holds ${Math.floor(estimate.kvCacheTokens / perRequestTokens)} requests; batch ${batch}${w.tpotMsMax ? ` keeps each output token under ${w.tpotMsMax} ms` : ''} (${point.tpotMs.toFixed(1)} ms, ${point.bound}-bound).`,
    `One replica: ${requestsPerSecond.toFixed(2)} requests/s, ${point.tokensPerSecond.toFixed(0)} output tokens/s, first token after ${model.ttftMs.toFixed(0)} ms.`,
    w.requestsPerSecond
      ? `${w.requestsPerSecond} requests/s needs ${replicas} replica(s) = ${gpus} x ${gpu.name} at $${gpu.pricePerHour}/h = $${(gpus * gpu.pricePerHour).toFixed(2)}/h.`
      : `${w.concurrency ?? batch} concurrent requests need ${replicas} replica(s) = ${gpus} x ${gpu.name} at $${gpu.pricePerHour}/h = $${(gpus * gpu.pricePerHour).toFixed(2)}/h.`,
  ];
  return {
    gpu,
    tp,
    pp,
    replicas,
    gpus,
    costPerHour: gpus * gpu.pricePerHour,
    batch,
    perReplica: {
      requestsPerSecond,
      tokensPerSecond: point.tokensPerSecond,
      ttftMs: model.ttftMs,
      tpotMs: point.tpotMs,
    },
    estimate,
    vllm: {
      args: [
        '--tensor-parallel-size',
        String(tp),
        ...(pp > 1 ? ['--pipeline-parallel-size', String(pp)] : []),
        '--max-model-len',
        String(w.contextLength),
        '--max-num-seqs',
        String(batch),
        '--max-num-batched-tokens',
        String(settings.maxNumBatchedTokens),
        '--gpu-memory-utilization',
        String(settings.gpuMemoryUtilization),
      ],
    },
    tgi: {
      args: [
        '--num-shard',
        String(tp * pp),
        '--max-input-tokens',
        String(Math.min(w.inputTokens, w.contextLength - 1)),
        '--max-total-tokens',
        String(w.contextLength),
        '--max-batch-total-tokens',
        String(estimate.kvCacheTokens),
        '--max-concurrent-requests',
        String(Math.max(batch * 2, 128)),
      ],
    },
    // Triton with an LLM backend batches in flight itself: one instance per GPU set, a short queue delay.
    triton: { maxBatchSize: batch, instanceCount: 1, maxQueueDelayMicroseconds: 100 },
    reasons,
    assumptions: model.assumptions,
  };
}

/** The cheapest layout per GPU type, best first; `gpus` defaults to the caller's list. */
export function suggest(a: ModelArchitecture, gpus: readonly GpuSpec[], w: Workload): SuggestResult {
  const found: Suggestion[] = [];
  const rejected: string[] = [];
  for (const gpu of gpus) {
    let best: Suggestion | undefined;
    for (const [tp, pp] of layouts(a)) {
      const result = evaluateLayout(a, gpu, tp, pp, w);
      if (typeof result === 'string') {
        rejected.push(`${gpu.name} ${result}`);
        continue;
      }
      if (
        !best ||
        result.costPerHour < best.costPerHour ||
        (result.costPerHour === best.costPerHour && result.perReplica.tpotMs < best.perReplica.tpotMs)
      )
        best = result;
    }
    if (best) found.push(best);
  }
  found.sort((x, y) => x.costPerHour - y.costPerHour || x.perReplica.tpotMs - y.perReplica.tpotMs);
  const [best, ...alternatives] = found;
  if (!best) return { ok: false, reasons: rejected.length ? rejected : ['no GPU type to try'] };
  return { ok: true, best, alternatives };
}
