/**
 * Parameter counts computed from the architecture, split the way serving engines store and shard
 * them: the embedding and LM head (vocab-parallel), the linear layers (quantizable, sharded by
 * tensor parallelism), and small replicated tensors (norms, routers).
 */
import type { ModelArchitecture, Quantization, WeightFormat } from '../catalog/architecture.ts';
import type { GpuSpec } from '../catalog/gpus.ts';

export interface ParameterCounts {
  embedding: number;
  lmHead: number;
  /** Attention projections of all layers. */
  attention: number;
  /** Dense MLPs, shared experts and routed experts' weights of all layers. */
  denseMlp: number;
  experts: number;
  /** Norms, routers, biases: small, kept in 16 bits. */
  small: number;
  /** A multimodal checkpoint's vision tower, loaded in 16 bits even for text-only serving. */
  vision?: number;
  total: number;
  /** Parameters one token passes through (MoE: only its experts). */
  activePerToken: number;
}

function attentionPerLayer(a: ModelArchitecture): { weights: number; small: number } {
  const h = a.hiddenSize;
  if (a.mla) {
    const m = a.mla;
    const qHead = m.qkNopeHeadDim + m.qkRopeHeadDim;
    const q = m.qLoraRank
      ? h * m.qLoraRank + m.qLoraRank * a.numAttentionHeads * qHead
      : h * a.numAttentionHeads * qHead;
    const kvA = h * (m.kvLoraRank + m.qkRopeHeadDim);
    const kvB = m.kvLoraRank * a.numAttentionHeads * (m.qkNopeHeadDim + m.vHeadDim);
    const o = a.numAttentionHeads * m.vHeadDim * h;
    return { weights: q + kvA + kvB + o, small: (m.qLoraRank ?? 0) + m.kvLoraRank };
  }
  const qDim = a.numAttentionHeads * a.headDim;
  const kvDim = a.numKeyValueHeads * a.headDim;
  const weights = h * qDim + 2 * h * kvDim + qDim * h;
  let small = a.qkNorm ? 2 * a.headDim : 0;
  if (a.attentionBias !== 'none') small += qDim + 2 * kvDim;
  if (a.attentionBias === 'qkvo') small += h;
  if (a.modelType === 'gpt_oss') small += a.numAttentionHeads; // attention sinks
  return { weights, small };
}

export function countParameters(a: ModelArchitecture): ParameterCounts {
  const h = a.hiddenSize;
  const attn = attentionPerLayer(a);
  const embedding = a.vocabSize * h;
  const lmHead = a.tieWordEmbeddings ? 0 : a.vocabSize * h;
  const denseLayerMlp = 3 * h * a.intermediateSize;
  let denseMlp = 0;
  let experts = 0;
  let small = a.numLayers * (attn.small + a.normsPerLayer * h) + h;
  let activeMlp = 0;
  if (a.moe) {
    const m = a.moe;
    const moeLayers = a.numLayers - m.denseLayers;
    const perExpert = 3 * h * m.expertIntermediateSize + (m.biases ? 2 * m.expertIntermediateSize + h : 0);
    const shared = m.sharedExperts * 3 * h * m.expertIntermediateSize;
    denseMlp = m.denseLayers * denseLayerMlp + moeLayers * shared;
    experts = moeLayers * m.numExperts * perExpert;
    small += moeLayers * (h * m.numExperts + (m.biases ? m.numExperts : 0));
    activeMlp = denseMlp + moeLayers * m.expertsPerToken * perExpert;
  } else {
    denseMlp = a.numLayers * denseLayerMlp;
    activeMlp = denseMlp;
  }
  const linear = a.linearAttention;
  const attention =
    (a.numLayers - (linear?.layers ?? 0)) * attn.weights + (linear ? linear.layers * linear.paramsPerLayer : 0);
  const vision = a.visionParams ?? 0;
  const total = embedding + lmHead + attention + denseMlp + experts + small + vision;
  return {
    embedding,
    lmHead,
    attention,
    denseMlp,
    experts,
    small,
    ...(vision > 0 ? { vision } : {}),
    total,
    // The embedding is a lookup, not a matmul; the LM head (or the tied embedding) is one.
    activePerToken: attention + activeMlp + small + a.vocabSize * h,
  };
}

/**
 * Bytes per stored weight, with the per-group scale overhead of 4-bit formats: an fp16 scale per
 * group, and a packed 4-bit zero point where the format is asymmetric (AWQ; GPTQ with sym false).
 */
export function bytesPerWeight(format: WeightFormat, groupSize = 128, zeroPoint = true): number {
  switch (format) {
    case 'fp32':
      return 4;
    case 'bf16':
    case 'fp16':
      return 2;
    case 'fp8':
    case 'int8':
      return 1;
    case 'int4':
      // 4-bit weights plus an fp16 scale (and a packed 4-bit zero point) per group (AWQ/GPTQ).
      return 0.5 + (2 + (zeroPoint ? 0.5 : 0)) / groupSize;
    case 'mxfp4':
      // 4-bit E2M1 values plus one 8-bit shared exponent per 32 (OCP MX spec).
      return 0.5 + 1 / 32;
    case 'nvfp4':
      // 4-bit E2M1 values plus one FP8 E4M3 scale per 16 (NVIDIA NVFP4), and a global fp32 scale.
      return 0.5 + 1 / 16;
  }
}

/**
 * Which kernel family vLLM picks for MXFP4 experts, which decides how it pads them
 * (vllm/model_executor/layers/quantization/mxfp4.py, get_mxfp4_backend and create_weights):
 * Marlin below compute capability 9.0 (and on 12.x) pads intermediate/TP to 128 and hidden to 256;
 * FlashInfer on Blackwell (10.x) and ROCm pad both to 256; the Triton kernels on Hopper keep the
 * shapes but their swizzled layout pads the contraction dimension (64.38 GiB logged for
 * gpt-oss-120b on one H100, vLLM issue 33155, is what a multiple of 256 gives).
 */
export type Mxfp4Backend = 'marlin' | 'triton-hopper' | 'flashinfer';

export function mxfp4BackendFor(
  gpu: Pick<GpuSpec, 'computeCapability' | 'interconnect'>,
  tritonOnHopper = true,
): Mxfp4Backend {
  const cc = gpu.computeCapability;
  if (cc === undefined) return gpu.interconnect === 'infinity-fabric' ? 'flashinfer' : 'triton-hopper';
  if (cc >= 100 && cc < 110) return 'flashinfer';
  if (cc >= 90 && cc < 100) return tritonOnHopper ? 'triton-hopper' : 'marlin';
  return 'marlin';
}

const roundUp = (x: number, m: number) => Math.ceil(x / m) * m;

/** Stored / logical size of the MXFP4 expert tensors after vLLM's padding, per TP rank. */
export function mxfp4PaddingRatio(a: ModelArchitecture, tp: number, backend: Mxfp4Backend): number {
  const h = a.hiddenSize;
  const i = (a.moe?.expertIntermediateSize ?? a.intermediateSize) / tp;
  // w13 is (2 x I) x h, w2 is h x I: equal element counts, so the ratio is the mean of the two.
  switch (backend) {
    case 'marlin':
      return (roundUp(i, 128) * roundUp(h, 256)) / (i * h);
    case 'flashinfer':
      return (roundUp(i, 256) * roundUp(h, 256)) / (i * h);
    case 'triton-hopper':
      return (roundUp(h, 256) / h + roundUp(i, 256) / i) / 2;
  }
}

export interface WeightBytes {
  /** Per GPU, after tensor parallelism (and the largest pipeline stage). */
  perGpu: number;
  total: number;
  format: WeightFormat;
  /** What padding or extra tensors were added, for the explanation. */
  paddingNote?: string;
  /** With pipeline parallelism: the first stage (embedding) and the last (LM head), per GPU. */
  firstStagePerGpu?: number;
  lastStagePerGpu?: number;
}

export interface WeightOptions {
  /** The GPU's MXFP4 kernels (padding); without it, no padding is counted. */
  mxfp4Backend?: Mxfp4Backend;
}

function formatOf(a: ModelArchitecture, override: WeightFormat | undefined): Quantization | undefined {
  if (override) return { method: 'override', format: override, groupSize: 128, expertsOnly: false };
  return a.quantization;
}

/**
 * Weight memory. Quantized checkpoints keep the embedding, LM head, norms and routers in 16 bits;
 * gpt-oss's MXFP4 covers only the experts. Tensor parallelism shards everything but the small
 * tensors; pipeline parallelism gives each stage its layers (first: embedding, last: LM head).
 */
export function weightBytes(
  a: ModelArchitecture,
  params: ParameterCounts,
  tp: number,
  pp: number,
  override?: WeightFormat,
  options: WeightOptions = {},
): WeightBytes {
  const dense16 = a.dtype === 'fp32' ? 4 : 2;
  const quant = formatOf(a, override);
  const linearFormat: WeightFormat = quant?.format ?? a.dtype;
  const linear = bytesPerWeight(linearFormat, quant?.groupSize, quant?.zeroPoint ?? true);
  const padding =
    linearFormat === 'mxfp4' && options.mxfp4Backend && params.experts > 0
      ? mxfp4PaddingRatio(a, tp, options.mxfp4Backend)
      : 1;
  const attentionBytes = params.attention * (quant?.expertsOnly ? dense16 : linear);
  const mlpBytes = params.denseMlp * (quant?.expertsOnly ? dense16 : linear) + params.experts * linear * padding;
  const vocabBytes = (params.embedding + params.lmHead) * dense16;
  // The vision tower stays in 16 bits (quantization configs skip it) and is replicated per PP stage 0.
  const visionBytes = (params.vision ?? 0) * 2;
  const smallBytes = params.small * dense16;
  const total = attentionBytes + mlpBytes + vocabBytes + smallBytes + visionBytes;
  const layerBytes = (attentionBytes + mlpBytes) / a.numLayers;
  const layersPerStage = Math.ceil(a.numLayers / pp);
  const firstStage =
    layersPerStage * layerBytes + params.embedding * dense16 + visionBytes + (pp === 1 ? params.lmHead * dense16 : 0);
  const lastStage =
    pp === 1
      ? firstStage
      : (a.numLayers - layersPerStage * (pp - 1)) * layerBytes + (params.lmHead || params.embedding) * dense16;
  const stage = Math.max(firstStage, lastStage);
  const notes: string[] = [];
  if (padding > 1)
    notes.push(`MXFP4 experts padded for vLLM's ${options.mxfp4Backend} kernels: x${padding.toFixed(3)}`);
  if (visionBytes > 0) notes.push(`vision tower ${((params.vision ?? 0) / 1e9).toFixed(2)}B parameters in 16 bits`);
  return {
    perGpu: stage / tp + smallBytes / pp,
    total,
    format: linearFormat,
    ...(pp > 1
      ? { firstStagePerGpu: firstStage / tp + smallBytes / pp, lastStagePerGpu: lastStage / tp + smallBytes / pp }
      : {}),
    ...(notes.length > 0 ? { paddingNote: notes.join('; ') } : {}),
  };
}
