/**
 * Parameter counts computed from the architecture, split the way serving engines store and shard
 * them: the embedding and LM head (vocab-parallel), the linear layers (quantizable, sharded by
 * tensor parallelism), and small replicated tensors (norms, routers).
 */
import type { ModelArchitecture, WeightFormat } from '../catalog/architecture.ts';

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
  const attention = a.numLayers * attn.weights;
  const total = embedding + lmHead + attention + denseMlp + experts + small;
  return {
    embedding,
    lmHead,
    attention,
    denseMlp,
    experts,
    small,
    total,
    // The embedding is a lookup, not a matmul; the LM head (or the tied embedding) is one.
    activePerToken: attention + activeMlp + small + a.vocabSize * h,
  };
}

/** Bytes per stored weight, with the per-group scale overhead of int4 formats. */
export function bytesPerWeight(format: WeightFormat, groupSize = 128): number {
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
      // 4-bit weights plus an fp16 scale and a packed 4-bit zero point per group (AWQ/GPTQ).
      return 0.5 + (2 + 0.5) / groupSize;
    case 'mxfp4':
      // 4-bit E2M1 values plus one 8-bit shared exponent per 32 (OCP MX spec).
      return 0.5 + 1 / 32;
  }
}

export interface WeightBytes {
  /** Per GPU, after tensor parallelism (and the largest pipeline stage). */
  perGpu: number;
  total: number;
  format: WeightFormat;
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
): WeightBytes {
  const dense16 = a.dtype === 'fp32' ? 4 : 2;
  const quant = override ? { format: override, groupSize: 128, expertsOnly: false } : a.quantization;
  const linearFormat: WeightFormat = quant?.format ?? a.dtype;
  const linear = bytesPerWeight(linearFormat, quant?.groupSize);
  const attentionBytes = params.attention * (quant?.expertsOnly ? dense16 : linear);
  const mlpBytes = params.denseMlp * (quant?.expertsOnly ? dense16 : linear) + params.experts * linear;
  const vocabBytes = (params.embedding + params.lmHead) * dense16;
  const smallBytes = params.small * dense16;
  const total = attentionBytes + mlpBytes + vocabBytes + smallBytes;
  const layerBytes = (attentionBytes + mlpBytes) / a.numLayers;
  const layersPerStage = Math.ceil(a.numLayers / pp);
  const firstStage =
    layersPerStage * layerBytes + params.embedding * dense16 + (pp === 1 ? params.lmHead * dense16 : 0);
  const lastStage =
    pp === 1
      ? firstStage
      : (a.numLayers - layersPerStage * (pp - 1)) * layerBytes + (params.lmHead || params.embedding) * dense16;
  const stage = Math.max(firstStage, lastStage);
  return { perGpu: stage / tp + smallBytes / pp, total, format: linearFormat };
}
