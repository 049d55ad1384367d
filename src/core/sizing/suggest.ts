/**
 * Parallelism and batch settings for a model on a GPU type, for a target load: the cheapest
 * layout (tensor parallel within a node before pipeline parallel across nodes, data-parallel
 * replicas for the rest) whose memory fits and whose predicted throughput and latency (the
 * continuous-batching performance model, calibrated where the workspace has a fit) meet the
 * targets, at the requested operating point.
 */
import type { ModelArchitecture, WeightFormat } from '../catalog/architecture.ts';
import type { GpuSpec } from '../catalog/gpus.ts';
import { findCalibration, type CalibrationFile } from '../perf/calibration.ts';
import type { Engine } from '../perf/engines.ts';
import {
  estimatePerformance,
  type PerformanceEstimate,
  type PerformanceInput,
  type Provenance,
} from '../perf/performance.ts';
import type { KvCacheDtype } from './kvCache.ts';
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
  perReplica: {
    requestsPerSecond: number;
    tokensPerSecond: number;
    /** Mean time to first token, queueing included. */
    ttftMs: number;
    tpotMs: number;
    ttftP90Ms?: number;
    ttftP99Ms?: number;
  };
  engine?: Engine;
  /** Where the throughput and latency figures come from. */
  provenance?: Provenance;
  estimate: ServingEstimate;
  vllm: { args: string[] };
  tgi: { args: string[] };
  triton: { maxBatchSize: number; instanceCount: number; maxQueueDelayMicroseconds: number };
  reasons: string[];
  assumptions: string[];
}

export type SuggestResult =
  { ok: true; best: Suggestion; alternatives: Suggestion[] } | { ok: false; reasons: string[] };

/** How to run the model: engine, weight and KV dtypes, and the workspace's calibration. */
export interface SuggestOptions {
  engine?: Engine;
  weightFormat?: WeightFormat;
  kvCacheDtype?: KvCacheDtype;
  calibration?: CalibrationFile;
}

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

interface OperatingPoint {
  batch: number;
  replicas: number;
  perf: PerformanceEstimate;
}

function meets(p: PerformanceEstimate, w: Workload): boolean {
  return (
    (w.tpotMsMax === undefined || p.tpotMs <= w.tpotMsMax) &&
    (w.ttftMsMax === undefined || p.ttftMs.mean <= w.ttftMsMax)
  );
}

/**
 * The operating point: at a requested concurrency, that many requests spread over as few replicas
 * as meet the targets; for a request rate (or none), the concurrency per replica with the most
 * requests/s within the targets, then the replicas the rate needs, checked under Poisson arrivals.
 */
function operatingPoint(base: Omit<PerformanceInput, 'load'>, capacity: number, w: Workload): OperatingPoint | string {
  // Simulations are deterministic (seeded): a batch size the search comes back to is not run again.
  const runs = new Map<number, ReturnType<typeof estimatePerformance>>();
  const run = (concurrency: number) => {
    let perf = runs.get(concurrency);
    if (!perf) runs.set(concurrency, (perf = estimatePerformance({ ...base, load: { concurrency }, quick: true })));
    return perf;
  };
  if (w.concurrency !== undefined) {
    let perReplica = Math.min(w.concurrency, capacity);
    for (;;) {
      const perf = run(perReplica);
      if (!perf.ok) return perf.reason;
      if (meets(perf, w) || perReplica === 1) {
        if (!meets(perf, w))
          return `even one request per replica misses the targets (TPOT ${perf.tpotMs.toFixed(1)} ms, TTFT ${perf.ttftMs.mean.toFixed(0)} ms)`;
        return { batch: perReplica, replicas: Math.ceil(w.concurrency / perReplica), perf };
      }
      perReplica = Math.max(1, Math.floor(perReplica / 2));
    }
  }
  let best: OperatingPoint | undefined;
  for (const batch of new Set([...BATCHES.filter((b) => b < capacity), capacity])) {
    const perf = run(batch);
    if (!perf.ok) return perf.reason;
    if (!meets(perf, w)) break;
    // Throughput saturates (KV cache or compute): a larger batch only adds latency.
    if (best && perf.requestsPerSecond < best.perf.requestsPerSecond * 1.03) break;
    best = { batch, replicas: 1, perf };
  }
  if (!best) {
    const one = run(1);
    return one.ok
      ? `no batch size meets the targets (at 1 request: TPOT ${one.tpotMs.toFixed(1)} ms, TTFT ${one.ttftMs.mean.toFixed(0)} ms)`
      : one.reason;
  }
  if (w.requestsPerSecond === undefined) return best;
  // Poisson arrivals queue where a closed loop does not: add replicas until the targets hold there too.
  let replicas = Math.max(1, Math.ceil(w.requestsPerSecond / best.perf.requestsPerSecond));
  for (let attempt = 0; attempt < 8; attempt++) {
    const open = estimatePerformance({
      ...base,
      load: { requestsPerSecond: w.requestsPerSecond / replicas },
      quick: true,
    });
    if (!open.ok) return best;
    if (meets(open, w) || attempt === 7) {
      const perf = {
        ...open,
        requestsPerSecond: best.perf.requestsPerSecond,
        outputTokensPerSecond: best.perf.outputTokensPerSecond,
      };
      return { ...best, replicas, perf };
    }
    replicas = Math.ceil(replicas * 1.25);
  }
  return best;
}

/** One layout of one model on one GPU type for a workload: its per-replica capacity and cost, or why it fails. */
export function evaluateLayout(
  a: ModelArchitecture,
  gpu: GpuSpec,
  tp: number,
  pp: number,
  w: Workload,
  options: SuggestOptions = {},
): Suggestion | string {
  const engine = options.engine ?? 'vllm';
  const settings = {
    ...vllmDefaults(a, gpu),
    tp,
    pp,
    maxModelLen: w.contextLength,
    weightFormat: options.weightFormat,
    kvCacheDtype: options.kvCacheDtype ?? 'auto',
  };
  const estimate = estimateServingMemory(a, gpu, settings);
  const label = `TP=${tp}${pp > 1 ? ` PP=${pp}` : ''}`;
  if (!estimate.fits) return `${label}: ${estimate.problems[0]}`;
  const perRequestTokens = Math.min(w.contextLength, w.inputTokens + w.outputTokens);
  const capacity = Math.min(settings.maxNumSeqs, Math.floor(estimate.kvCacheTokens / perRequestTokens));
  if (capacity < 1) return `${label}: the KV cache holds no request of ${perRequestTokens} tokens`;
  const calibration = findCalibration(options.calibration, a, gpu, engine, tp);
  const point = operatingPoint(
    {
      model: a,
      gpu,
      tp,
      pp,
      engine,
      weightFormat: options.weightFormat,
      kvCacheDtype: options.kvCacheDtype,
      inputTokens: w.inputTokens,
      outputTokens: w.outputTokens,
      // The simulation's KV cache is the one sized above (and the one --max-model-len below gets).
      maxModelLen: w.contextLength,
      calibration,
    },
    capacity,
    w,
  );
  if (typeof point === 'string') return `${label}: ${point}`;
  const { perf, replicas } = point;
  const requestsPerSecond = perf.requestsPerSecond;
  const gpus = replicas * tp * pp;
  const batch = point.batch;
  const tag = perf.provenance.kind === 'roofline' ? 'roofline' : `${perf.provenance.kind} (${perf.provenance.file})`;
  const reasons = [
    `Memory per GPU at TP=${tp}${pp > 1 ? `, PP=${pp}` : ''}: weights ${(estimate.weightsBytes / GIB).toFixed(1)} GiB, activations ${(estimate.activationBytes / GIB).toFixed(1)} GiB, KV cache ${(estimate.kvCacheBytes / GIB).toFixed(1)} GiB = ${estimate.kvCacheTokens} tokens.`,
    `At ${perRequestTokens} tokens per request (${w.inputTokens} in + ${w.outputTokens} out) the KV cache holds ${Math.floor(estimate.kvCacheTokens / perRequestTokens)} requests; ${batch} at once per replica${w.tpotMsMax || w.ttftMsMax ? ' meets the latency targets' : ''}: ${perf.tpotMs.toFixed(1)} ms per output token (${engine}, ${tag}).`,
    `One replica: ${requestsPerSecond.toFixed(2)} requests/s, ${perf.outputTokensPerSecond.toFixed(0)} output tokens/s (prefill charged), first token after ${perf.ttftMs.mean.toFixed(0)} ms mean, ${perf.ttftMs.p99.toFixed(0)} ms p99 (queueing included).`,
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
      tokensPerSecond: perf.outputTokensPerSecond,
      ttftMs: perf.ttftMs.mean,
      tpotMs: perf.tpotMs,
      ttftP90Ms: perf.ttftMs.p90,
      ttftP99Ms: perf.ttftMs.p99,
    },
    engine,
    provenance: perf.provenance,
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
    assumptions: perf.assumptions,
  };
}

/** The cheapest layout per GPU type, best first; `gpus` defaults to the caller's list. */
export function suggest(
  a: ModelArchitecture,
  gpus: readonly GpuSpec[],
  w: Workload,
  options: SuggestOptions = {},
): SuggestResult {
  const found: Suggestion[] = [];
  const rejected: string[] = [];
  for (const gpu of gpus) {
    let best: Suggestion | undefined;
    for (const [tp, pp] of layouts(a)) {
      // Pipeline stages across nodes only once tensor parallelism within a node is not enough.
      if (pp > 1 && best) break;
      const result = evaluateLayout(a, gpu, tp, pp, w, options);
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
