/**
 * Superseded for every figure the tool shows by the continuous-batching model in src/core/perf/
 * (prefill charged, queueing, MoE experts touched, achieved card rates, calibration); kept as the
 * idle-GPU, datasheet-peak bound and for callers of this API.
 *
 * Throughput and latency from a roofline: decoding is bound by memory bandwidth (every step reads
 * the weights and the batch's KV cache), prefill by compute (2 FLOPs per active parameter per
 * token, plus attention), and tensor parallelism adds two all-reduces per layer over the
 * interconnect. The efficiency factors are stated in every result.
 */
import type { ModelArchitecture } from '../catalog/architecture.ts';
import type { GpuSpec } from '../catalog/gpus.ts';
import { countParameters } from './parameters.ts';
import type { ServingEstimate } from './servingMemory.ts';
import { expectedExpertsTouched } from '../perf/stepCost.ts';

/** Share of peak bandwidth a decode step reaches (measured decode kernels reach 70-85 %). */
export const MEMORY_EFFICIENCY = 0.8;
/** Share of peak tensor throughput prefill reaches (typical model FLOPs utilization). */
export const COMPUTE_EFFICIENCY = 0.5;
/** Fixed cost of one all-reduce (launch + synchronization), seconds. */
export const ALLREDUCE_LATENCY_S = { nvlink: 8e-6, 'infinity-fabric': 10e-6, pcie: 25e-6 } as const;
/** Per-step overhead outside the model (scheduling, sampling), seconds. */
export const STEP_OVERHEAD_S = 2e-3;

export interface LatencyPoint {
  batch: number;
  /** Time per output token (one decode step), ms. */
  tpotMs: number;
  /** Output tokens per second for the whole replica. */
  tokensPerSecond: number;
  bound: 'memory' | 'compute';
}

export interface Roofline {
  /** Time to first token for one prompt of `inputTokens`, ms. */
  ttftMs: number;
  points: LatencyPoint[];
  assumptions: string[];
}

function allReduceSeconds(gpu: GpuSpec, tp: number, bytes: number): number {
  if (tp <= 1) return 0;
  return ALLREDUCE_LATENCY_S[gpu.interconnect] + (((2 * (tp - 1)) / tp) * bytes) / (gpu.interconnectGBps * 1e9);
}

/** Fraction of a MoE layer's experts that a batch of `batch` tokens touches (the performance model's count). */
function expertsTouched(a: ModelArchitecture, batch: number): number {
  if (!a.moe) return 1;
  return expectedExpertsTouched(a.moe.numExperts, a.moe.expertsPerToken, batch) / a.moe.numExperts;
}

export function computeTflops(a: ModelArchitecture, gpu: GpuSpec, estimate: ServingEstimate): number {
  const fp8 = (estimate.settings.weightFormat ?? a.quantization?.format) === 'fp8';
  return fp8 && gpu.hasFp8 ? gpu.fp8Tflops : gpu.bf16Tflops;
}

export function roofline(
  a: ModelArchitecture,
  estimate: ServingEstimate,
  inputTokens: number,
  outputTokens: number,
  batches: number[],
): Roofline {
  const { gpu, settings } = estimate;
  const tp = settings.tp;
  const pp = settings.pp;
  const params = countParameters(a);
  const flopsPerSecond = computeTflops(a, gpu, estimate) * 1e12 * COMPUTE_EFFICIENCY;
  const bytesPerSecond = gpu.memoryBandwidthGBps * 1e9 * MEMORY_EFFICIENCY;
  const layersPerGpu = Math.ceil(a.numLayers / pp);
  const expertFraction = params.total > 0 ? params.experts / params.total : 0;

  // Prefill: compute-bound; attention adds 2 x 2 x layers x heads x head_dim x s^2 / 2 (causal).
  const attentionFlops = 2 * a.numLayers * a.numAttentionHeads * a.headDim * inputTokens * inputTokens;
  const prefillFlops = 2 * params.activePerToken * inputTokens + attentionFlops;
  const prefillCompute = prefillFlops / (tp * pp) / flopsPerSecond;
  const prefillMemory = estimate.weightsBytes / bytesPerSecond;
  const prefillComm = 2 * a.numLayers * allReduceSeconds(gpu, tp, inputTokens * a.hiddenSize * 2);
  const ttftMs = (Math.max(prefillCompute * pp, prefillMemory * pp) + prefillComm + STEP_OVERHEAD_S) * 1000;

  const points = batches.map((batch): LatencyPoint => {
    const context = inputTokens + outputTokens / 2;
    const weightsRead = estimate.weightsBytes * (1 - expertFraction + expertFraction * expertsTouched(a, batch));
    const kvRead = batch * (context * estimate.kvBytesPerToken);
    const memorySeconds = (weightsRead + kvRead) / bytesPerSecond;
    const computeSeconds = (2 * params.activePerToken * batch) / (tp * pp) / flopsPerSecond;
    const comm = 2 * layersPerGpu * allReduceSeconds(gpu, tp, batch * a.hiddenSize * 2);
    // One token passes every pipeline stage in turn; stages work on different micro-batches.
    const stage = Math.max(memorySeconds, computeSeconds) + comm;
    const tpot = stage * pp + STEP_OVERHEAD_S;
    return {
      batch,
      tpotMs: tpot * 1000,
      tokensPerSecond: (batch * pp) / (stage * pp + STEP_OVERHEAD_S),
      bound: memorySeconds >= computeSeconds ? 'memory' : 'compute',
    };
  });
  return {
    ttftMs,
    points,
    assumptions: [
      `Decode reads the weights (${(estimate.weightsBytes / 1024 ** 3).toFixed(1)} GiB per GPU${a.moe ? ', only the experts a batch touches' : ''}) and each request's KV cache once per token at ${MEMORY_EFFICIENCY * 100} % of ${gpu.memoryBandwidthGBps} GB/s.`,
      `Prefill runs at ${COMPUTE_EFFICIENCY * 100} % of ${computeTflops(a, gpu, estimate)} dense TFLOPS: 2 FLOPs per active parameter (${(params.activePerToken / 1e9).toFixed(1)}B) per token, plus causal attention.`,
      tp > 1
        ? `Tensor parallelism: 2 all-reduces per layer over ${gpu.interconnect} at ${gpu.interconnectGBps} GB/s, ${ALLREDUCE_LATENCY_S[gpu.interconnect] * 1e6} µs each.`
        : 'One GPU per replica: no collective communication.',
      `Plus ${STEP_OVERHEAD_S * 1000} ms per step for scheduling and sampling. Real engines add queueing; treat these as best case.`,
    ],
  };
}
