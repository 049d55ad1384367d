/** The explanation of a performance estimate: one line per assumption, with its figures. */
import type { BatchingResult } from '../sched/continuousBatching.ts';
import { GIB } from '../sizing/servingMemory.ts';
import type { ModelArchitecture } from '../catalog/architecture.ts';
import type { GpuSpec } from '../catalog/gpus.ts';
import type { CalibrationEntry } from './calibration.ts';
import { DSTACK_DEEPSEEK_R1 } from './engines.ts';
import {
  DENSE_4BIT_COMPUTE_EFFICIENCY,
  DEQUANT_4BIT_COMPUTE_EFFICIENCY,
  THIN_EXPERT_COLUMNS,
  type Deployment,
  type StepCostModel,
} from './stepCost.ts';

/** What of the request the explanation names (a PerformanceInput is one). */
interface Request {
  model: ModelArchitecture;
  gpu: GpuSpec;
  tp: number;
  inputTokens: number;
  outputTokens: number;
  load: { concurrency: number } | { requestsPerSecond: number };
  requests?: number;
  calibration?: CalibrationEntry;
}

export interface AssumptionFacts {
  input: Request;
  deployment: Deployment;
  cost: StepCostModel;
  capacityLine: string;
  sim: BatchingResult;
}

export function assumptionsOf({ input, deployment, cost, capacityLine, sim }: AssumptionFacts): string[] {
  const { profile, pp } = deployment;
  const engine = profile.engine;
  const moe = input.model.moe;
  return [
    `Card: ${cost.rates.explanation}`,
    `Engine ${engine}: ${profile.stepOverheadS * 1000} ms CPU time per step, ${profile.serverOverheadS * 1000} ms fixed per request before the first token; ${profile.mixedBatches ? 'prefill chunks share steps with decodes' : 'prefill batches run apart from decodes'}; ${profile.reserveWholeRequest ? 'a request is admitted only when its prompt and whole output fit in the KV cache' : 'KV blocks are taken as tokens arrive; the newest request is preempted (recomputed) when they run out'}. ${profile.sources}`,
    capacityLine,
    `Each step reads ${(cost.denseBytesPerGpu / GIB).toFixed(1)} GiB of ${deployment.weightFormat} weights per GPU${moe ? ` plus the routed experts its tokens touch (expected distinct of ${moe.numExperts} with top-${moe.expertsPerToken} routing: E x (1 - (1 - k/E)^tokens)) at ${profile.groupedGemmEfficiency * 100} % grouped-GEMM efficiency, and ${profile.moeLayerLatencyS * 1e6} µs of routing per MoE layer` : ''}, and each decoding request's KV cache at ${profile.attentionEfficiency * 100} % of the achieved bandwidth${input.model.mla ? ' (MLA: the compressed latent, on every TP rank)' : ''}.`,
    `Compute: 2 FLOPs per active parameter per token plus causal attention, at ${profile.prefillEfficiency * 100} % of the achieved ${deployment.weightFormat === 'fp8' || deployment.weightFormat === 'int8' ? 'fp8' : 'bf16'} GEMM rate${deployment.weightFormat === 'int4' || deployment.weightFormat === 'mxfp4' ? ` (4-bit weights dequantized in the GEMM: x ${DENSE_4BIT_COMPUTE_EFFICIENCY} dense, x ${DEQUANT_4BIT_COMPUTE_EFFICIENCY} in expert grouped GEMMs)` : ''}${moe ? `; routed experts at ${profile.groupedGemmComputeEfficiency * 100} % of that${profile.thinExpertPenalty ? `, less when TP slices each expert below ${THIN_EXPERT_COLUMNS} columns per GPU (Triton MoE tiles; MoE latency grows alike)` : ''}` : ''}; memory and compute overlap within a step.`,
    input.model.mla
      ? `MLA model: + ${(profile.mlaStepLatencyS[input.gpu.interconnect === 'infinity-fabric' ? 'amd' : 'nvidia'] * 1000).toFixed(0)} ms per step, the latency floor of ${engine}'s DeepSeek path fitted to dstack's early-2025 DeepSeek-R1 runs (${DSTACK_DEEPSEEK_R1}); newer engine versions may be faster.`
      : '',
    input.tp > 1
      ? `Tensor parallelism ${input.tp}: ${deployment.expertParallel ? 'one all-reduce per layer and two all-to-alls per MoE layer' : 'two all-reduces per layer'} over ${input.gpu.interconnect} at ${input.gpu.interconnectGBps} GB/s.`
      : 'One GPU per replica: no collective communication.',
    pp > 1
      ? `Pipeline parallelism ${pp}: a step passes the ${pp} stages in turn (no micro-batch overlap modelled: conservative).`
      : '',
    'concurrency' in input.load
      ? `Closed loop: ${input.load.concurrency} clients, each sending its next request when the last one ends; ${input.inputTokens} tokens in, ${input.outputTokens} out per request.`
      : `Open loop: Poisson arrivals at ${input.load.requestsPerSecond} requests/s; ${input.inputTokens} tokens in, ${input.outputTokens} out per request.`,
    input.requests !== undefined
      ? `Measured over a run of ${input.requests} requests from t = 0 (queueing of the whole run included).`
      : `Steady state: ${sim.measuredRequests} requests measured after a warm-up; mean decode batch ${sim.meanDecodeBatch.toFixed(1)}${sim.preemptions ? `, ${sim.preemptions} preemptions` : ''}.`,
    input.calibration
      ? `Calibrated from ${input.calibration.source.file}: step times x ${input.calibration.scales.step.toFixed(3)}, ${((input.calibration.scales.serverOverheadS ?? profile.serverOverheadS) * 1000).toFixed(0)} ms server overhead per request.`
      : 'Not calibrated: factors above are defaults; import a benchmark result to fit them to your setup.',
  ].filter(Boolean);
}
