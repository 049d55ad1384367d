/**
 * Per-GPU memory of a vLLM (V1 engine) deployment, as vLLM's own start-up profiling splits it:
 * weights + peak activation of the profiling run + non-torch memory, and the KV cache gets what is
 * left of gpu_memory_utilization x the memory CUDA reports.
 */
import type { ModelArchitecture, WeightFormat } from '../catalog/architecture.ts';
import { visibleBytes, type GpuSpec } from '../catalog/gpus.ts';
import { kvLayout, requestKvBytes, type KvCacheDtype, type KvLayout } from './kvCache.ts';
import { countParameters, weightBytes } from './parameters.ts';

export const GIB = 1024 ** 3;

export interface ServingSettings {
  tp: number;
  pp: number;
  /** Overrides the checkpoint's weight format (e.g. "fp8" for on-the-fly quantization). */
  weightFormat?: WeightFormat;
  kvCacheDtype: KvCacheDtype;
  gpuMemoryUtilization: number;
  maxModelLen: number;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  blockSize: number;
  /** The serving engine; SGLang's memory semantics are the sizing engine's to apply (vLLM's otherwise). */
  engine?: 'vllm' | 'sglang';
}

/**
 * vLLM's defaults for the OpenAI server (vllm/engine/arg_utils.py, get_batch_defaults): on GPUs
 * with at least 70 GiB that are not A100s, 8192 batched tokens and 1024 sequences; otherwise 2048
 * and 256. gpu_memory_utilization 0.9; block size 16; max_model_len = the model's context.
 */
export function vllmDefaults(a: ModelArchitecture, gpu: GpuSpec): ServingSettings {
  const big = visibleBytes(gpu) >= 70 * GIB && !/A100/i.test(gpu.name);
  return {
    tp: 1,
    pp: 1,
    kvCacheDtype: 'auto',
    gpuMemoryUtilization: 0.9,
    maxModelLen: a.maxPositionEmbeddings ?? 8192,
    maxNumSeqs: big ? 1024 : 256,
    maxNumBatchedTokens: big ? 8192 : 2048,
    blockSize: 16,
  };
}

/**
 * Bytes per (request x vocabulary entry) the sampler holds at its peak during vLLM's profiling
 * run: bf16 logits, their fp32 copy, probabilities, log-probabilities, top-k/top-p's sorted
 * values and int64 indices, the cumulative sum, a mask and the exponential noise (~35 B).
 * Fitted to vLLM's logged activation peaks on an H100: 4.76 GiB for Llama-3.1-8B (vocab 128256)
 * and 5.56 GiB for Qwen3-0.6B (vocab 151936), both at 1024 sequences.
 */
export const SAMPLER_BYTES_PER_LOGIT = 35.4;
/** Buffers the profiling run holds besides the sampler's (workspaces, persistent inputs). */
export const PROFILING_BASE_BYTES = 0.4 * GIB;
/** CUDA/cuBLAS state outside PyTorch's allocator: 0.13 GiB logged at TP=1 ... */
export const NON_TORCH_BYTES = 0.13 * GIB;
/** ... and 0.55 GiB at TP=2 (NCCL and custom all-reduce buffers). */
export const NON_TORCH_TP_BYTES = 0.42 * GIB;

export interface ServingEstimate {
  settings: ServingSettings;
  gpu: GpuSpec;
  usableBytes: number;
  weightsBytes: number;
  activationBytes: number;
  nonTorchBytes: number;
  kvCacheBytes: number;
  kvLayout: KvLayout;
  /** Tokens the KV cache holds for requests of max_model_len, whole blocks only. */
  kvCacheTokens: number;
  kvBytesPerToken: number;
  maxConcurrency: number;
  fits: boolean;
  /** Why it does not fit, in vLLM's terms; empty when it fits. */
  problems: string[];
  /** One line per number: where it comes from. */
  explanation: string[];
}

/** vLLM's profiling-run activation peak and the memory outside PyTorch, per GPU. */
function runtimeBytes(
  a: ModelArchitecture,
  settings: Pick<ServingSettings, 'tp' | 'maxNumSeqs' | 'maxNumBatchedTokens'>,
) {
  const samplerBytes = settings.maxNumSeqs * a.vocabSize * SAMPLER_BYTES_PER_LOGIT;
  const hiddenStatesBytes = settings.maxNumBatchedTokens * a.hiddenSize * 2;
  const activationBytes = samplerBytes + PROFILING_BASE_BYTES + hiddenStatesBytes;
  const nonTorchBytes = NON_TORCH_BYTES + (settings.tp > 1 ? NON_TORCH_TP_BYTES : 0);
  return { samplerBytes, hiddenStatesBytes, activationBytes, nonTorchBytes };
}

/**
 * The memory one replica needs per GPU to start and hold `concurrency` requests of max_model_len:
 * weights / TP + activation peak + non-torch memory + that KV cache (whole blocks). What to pack
 * on a shared GPU, with --gpu-memory-utilization set to this over the GPU's memory.
 */
export function replicaFootprintBytes(
  a: ModelArchitecture,
  settings: Omit<ServingSettings, 'gpuMemoryUtilization' | 'pp'>,
  concurrency: number,
): number {
  const weights = weightBytes(a, countParameters(a), settings.tp, 1, settings.weightFormat);
  const layout = kvLayout(a, settings.tp, 1, settings.kvCacheDtype);
  const tokens = Math.ceil(settings.maxModelLen / settings.blockSize) * settings.blockSize;
  const { activationBytes, nonTorchBytes } = runtimeBytes(a, settings);
  return weights.perGpu + activationBytes + nonTorchBytes + requestKvBytes(layout, tokens) * concurrency;
}

export function estimateServingMemory(a: ModelArchitecture, gpu: GpuSpec, settings: ServingSettings): ServingEstimate {
  const params = countParameters(a);
  const weights = weightBytes(a, params, settings.tp, settings.pp, settings.weightFormat);
  const usableBytes = visibleBytes(gpu) * settings.gpuMemoryUtilization;
  const { samplerBytes, hiddenStatesBytes, activationBytes, nonTorchBytes } = runtimeBytes(a, settings);
  const kvCacheBytes = usableBytes - weights.perGpu - activationBytes - nonTorchBytes;
  const layout = kvLayout(a, settings.tp, settings.pp, settings.kvCacheDtype);
  const perRequest = requestKvBytes(layout, settings.maxModelLen);
  // Average bytes per token for a request of max_model_len (sliding layers keep only their window).
  const kvBytesPerToken = perRequest / settings.maxModelLen;
  const blockBytes = kvBytesPerToken * settings.blockSize;
  const kvCacheTokens = kvCacheBytes > 0 ? Math.floor(kvCacheBytes / blockBytes) * settings.blockSize : 0;
  const maxConcurrency = kvCacheTokens / settings.maxModelLen;
  const problems: string[] = [];
  const gib = (bytes: number) => `${(bytes / GIB).toFixed(2)} GiB`;
  if (kvCacheBytes <= 0) {
    problems.push(
      `No memory is left for the KV cache: ${gib(kvCacheBytes)} after weights, activations and runtime (vLLM stops with "No available memory for the cache blocks").`,
    );
  } else if (kvCacheTokens < settings.maxModelLen) {
    problems.push(
      `One request of max_model_len ${settings.maxModelLen} needs ${gib(perRequest)} of KV cache, more than the ${gib(kvCacheBytes)} available (vLLM refuses to start; at most ${kvCacheTokens} tokens fit).`,
    );
  }
  if (a.maxPositionEmbeddings && settings.maxModelLen > a.maxPositionEmbeddings) {
    problems.push(
      `max_model_len ${settings.maxModelLen} is beyond the model's max_position_embeddings ${a.maxPositionEmbeddings}.`,
    );
  }
  const explanation = [
    `Memory CUDA reports: ${gib(visibleBytes(gpu))} (${gpu.memoryMiB} MiB on nvidia-smi minus ${gpu.reservedMiB} MiB reserved); x gpu_memory_utilization ${settings.gpuMemoryUtilization} = ${gib(usableBytes)}.`,
    `Weights: ${(params.total / 1e9).toFixed(2)}B parameters (computed from config.json) as ${weights.format}, embeddings in 16 bits; / TP ${settings.tp}${settings.pp > 1 ? `, largest of ${settings.pp} pipeline stages` : ''} = ${gib(weights.perGpu)} per GPU.`,
    `Activation peak of vLLM's profiling run: sampler ${settings.maxNumSeqs} seqs x ${a.vocabSize} vocab x ${SAMPLER_BYTES_PER_LOGIT} B = ${gib(samplerBytes)}, + hidden states ${settings.maxNumBatchedTokens} tokens x ${a.hiddenSize} x 2 B = ${gib(hiddenStatesBytes)}, + ${gib(PROFILING_BASE_BYTES)} buffers = ${gib(activationBytes)}.`,
    `Non-torch memory (CUDA, cuBLAS${settings.tp > 1 ? ', NCCL and all-reduce buffers' : ''}): ${gib(nonTorchBytes)}.`,
    `KV cache: ${gib(usableBytes)} - ${gib(weights.perGpu)} - ${gib(activationBytes)} - ${gib(nonTorchBytes)} = ${gib(kvCacheBytes)}.`,
    `KV per token: ${layout.explanation} = ${Math.round(kvBytesPerToken)} B (${(kvBytesPerToken / 1024).toFixed(1)} KiB); in blocks of ${settings.blockSize} tokens: ${kvCacheTokens} tokens; / max_model_len ${settings.maxModelLen} = ${maxConcurrency.toFixed(2)} concurrent requests.`,
  ];
  return {
    settings,
    gpu,
    usableBytes,
    weightsBytes: weights.perGpu,
    activationBytes,
    nonTorchBytes,
    kvCacheBytes,
    kvLayout: layout,
    kvCacheTokens,
    kvBytesPerToken,
    maxConcurrency,
    fits: problems.length === 0,
    problems,
    explanation,
  };
}
