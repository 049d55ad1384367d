/**
 * A model's architecture as the sizing engine needs it, read from a Hugging Face `config.json`.
 * Every number is from the config; parameter counts are computed from it (parameters.ts), never
 * typed in.
 */
import type { Result } from '../result.ts';

export type WeightFormat = 'bf16' | 'fp16' | 'fp32' | 'fp8' | 'int8' | 'int4' | 'mxfp4';

export interface Quantization {
  /** The config's quant_method: fp8, awq, gptq, compressed-tensors, mxfp4, bitsandbytes... */
  method: string;
  format: WeightFormat;
  /** Weights per scale group for int4 (AWQ/GPTQ: 128 typically). */
  groupSize?: number;
  /** gpt-oss quantizes only the MoE experts. */
  expertsOnly: boolean;
}

export interface MultiHeadLatentAttention {
  qLoraRank: number | undefined;
  kvLoraRank: number;
  qkNopeHeadDim: number;
  qkRopeHeadDim: number;
  vHeadDim: number;
}

export interface MixtureOfExperts {
  numExperts: number;
  expertsPerToken: number;
  expertIntermediateSize: number;
  sharedExperts: number;
  /** The first N layers are dense (DeepSeek's first_k_dense_replace). */
  denseLayers: number;
  /** gpt-oss's experts and router carry biases. */
  biases: boolean;
}

export interface ModelArchitecture {
  id: string;
  modelType: string;
  hiddenSize: number;
  numLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  intermediateSize: number;
  vocabSize: number;
  maxPositionEmbeddings: number | undefined;
  tieWordEmbeddings: boolean;
  /** q/k/v (and o, for gpt-oss) projections carry biases (Qwen2, gpt-oss). */
  attentionBias: 'none' | 'qkv' | 'qkvo';
  /** Per-head RMSNorm on q and k (Qwen3, Gemma 3). */
  qkNorm: boolean;
  /** Norms per decoder layer: 2 for Llama-style, 4 for Gemma 2/3 (pre and post). */
  normsPerLayer: number;
  mla?: MultiHeadLatentAttention;
  moe?: MixtureOfExperts;
  /** Layers that attend over a sliding window only, and the window in tokens. */
  slidingWindow?: { window: number; layers: number };
  /** How the checkpoint stores its weights (dtype, or quantization). */
  dtype: 'bf16' | 'fp16' | 'fp32';
  quantization?: Quantization;
}

type Json = Record<string, unknown>;

/** A config.json field that should be a string; anything else (an object, a number) reads as the fallback. */
function stringField(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function num(config: Json, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const value = config[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}

function dtypeOf(value: unknown): ModelArchitecture['dtype'] {
  if (value === 'float16' || value === 'half') return 'fp16';
  if (value === 'float32' || value === 'float') return 'fp32';
  return 'bf16';
}

function quantizationOf(config: Json): Quantization | undefined {
  const q = config.quantization_config;
  if (typeof q !== 'object' || q === null) return undefined;
  const quant = q as Json;
  const method = stringField(quant.quant_method, 'unknown').toLowerCase();
  const bits = num(quant, 'bits', 'w_bit', 'weight_bits');
  const groupSize = num(quant, 'group_size', 'q_group_size');
  if (method === 'mxfp4') return { method, format: 'mxfp4', expertsOnly: true };
  if (method === 'fp8' || method === 'fbgemm_fp8') return { method, format: 'fp8', expertsOnly: false };
  if (method === 'awq' || method === 'gptq' || method === 'awq_marlin' || method === 'gptq_marlin') {
    return {
      method,
      format: bits === 8 ? 'int8' : 'int4',
      groupSize: groupSize && groupSize > 0 ? groupSize : 128,
      expertsOnly: false,
    };
  }
  if (method === 'bitsandbytes')
    return { method, format: quant.load_in_8bit === true ? 'int8' : 'int4', groupSize: 64, expertsOnly: false };
  if (method === 'compressed-tensors') {
    // e.g. RedHatAI's FP8-dynamic checkpoints: config_groups.*.weights.{type: "float", num_bits: 8}
    const groups = Object.values((quant.config_groups as Json | undefined) ?? {}) as Json[];
    const weights = groups.map((g) => g.weights as Json | undefined).find(Boolean);
    const wbits = weights ? num(weights, 'num_bits') : undefined;
    if (weights?.type === 'float' && wbits === 8) return { method, format: 'fp8', expertsOnly: false };
    if (wbits === 8) return { method, format: 'int8', expertsOnly: false };
    if (wbits === 4)
      return { method, format: 'int4', groupSize: (weights && num(weights, 'group_size')) || 128, expertsOnly: false };
    return { method, format: 'fp8', expertsOnly: false };
  }
  return { method, format: bits === 4 ? 'int4' : bits === 8 ? 'int8' : 'bf16', groupSize, expertsOnly: false };
}

function slidingWindowOf(config: Json, numLayers: number): ModelArchitecture['slidingWindow'] {
  const window = num(config, 'sliding_window');
  if (!window || window <= 0) return undefined;
  if (config.use_sliding_window === false) return undefined;
  const layerTypes = config.layer_types;
  if (Array.isArray(layerTypes)) {
    const layers = layerTypes.filter((t) => t === 'sliding_attention').length;
    return layers > 0 ? { window, layers } : undefined;
  }
  const modelType = stringField(config.model_type, '');
  if (modelType === 'gemma2') return { window, layers: Math.floor(numLayers / 2) };
  const pattern = num(config, 'sliding_window_pattern');
  if (pattern && pattern > 1) return { window, layers: numLayers - Math.floor(numLayers / pattern) };
  if (modelType === 'gemma3_text' || modelType === 'gemma3')
    return { window, layers: numLayers - Math.floor(numLayers / 6) };
  if (window >= (num(config, 'max_position_embeddings') ?? Infinity)) return undefined;
  return { window, layers: numLayers };
}

/** Reads a Hugging Face config.json (multimodal configs: their text_config). */
export function architectureFromHfConfig(id: string, raw: unknown): Result<ModelArchitecture> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, message: `${id}: config.json is not a JSON object` };
  const outer = raw as Json;
  const config = (
    typeof outer.text_config === 'object' && outer.text_config !== null
      ? { ...outer, ...(outer.text_config as Json) }
      : outer
  ) as Json;
  const hiddenSize = num(config, 'hidden_size', 'n_embd', 'd_model');
  const numLayers = num(config, 'num_hidden_layers', 'n_layer', 'num_layers');
  const numAttentionHeads = num(config, 'num_attention_heads', 'n_head');
  const vocabSize = num(config, 'vocab_size');
  const missing = [
    ['hidden_size', hiddenSize],
    ['num_hidden_layers', numLayers],
    ['num_attention_heads', numAttentionHeads],
    ['vocab_size', vocabSize],
  ]
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (missing.length > 0 || !hiddenSize || !numLayers || !numAttentionHeads || !vocabSize) {
    return { ok: false, message: `${id}: config.json lacks ${missing.join(', ') || 'positive sizes'}` };
  }
  const modelType = stringField(config.model_type, 'unknown');
  const numExperts = num(config, 'num_local_experts', 'num_experts', 'n_routed_experts');
  const kvLoraRank = num(config, 'kv_lora_rank');
  const intermediateSize = num(config, 'intermediate_size', 'n_inner') ?? 4 * hiddenSize;
  const arch: ModelArchitecture = {
    id,
    modelType,
    hiddenSize,
    numLayers,
    numAttentionHeads,
    numKeyValueHeads: num(config, 'num_key_value_heads', 'num_kv_heads') ?? numAttentionHeads,
    headDim: num(config, 'head_dim') ?? hiddenSize / numAttentionHeads,
    intermediateSize,
    vocabSize,
    maxPositionEmbeddings: num(config, 'max_position_embeddings', 'n_positions'),
    tieWordEmbeddings: config.tie_word_embeddings === true,
    attentionBias: modelType.startsWith('qwen2') ? 'qkv' : config.attention_bias === true ? 'qkvo' : 'none',
    qkNorm: modelType.startsWith('qwen3') || modelType.startsWith('gemma3'),
    normsPerLayer: modelType.startsWith('gemma2') || modelType.startsWith('gemma3') ? 4 : 2,
    dtype: dtypeOf(config.torch_dtype ?? config.dtype),
    quantization: quantizationOf(outer) ?? quantizationOf(config),
  };
  if (kvLoraRank) {
    arch.mla = {
      qLoraRank: num(config, 'q_lora_rank'),
      kvLoraRank,
      qkNopeHeadDim: num(config, 'qk_nope_head_dim') ?? 128,
      qkRopeHeadDim: num(config, 'qk_rope_head_dim') ?? 64,
      vHeadDim: num(config, 'v_head_dim') ?? 128,
    };
  }
  if (numExperts && numExperts > 1) {
    arch.moe = {
      numExperts,
      expertsPerToken: num(config, 'num_experts_per_tok', 'num_experts_per_token', 'experts_per_token') ?? 2,
      expertIntermediateSize: num(config, 'moe_intermediate_size') ?? intermediateSize,
      sharedExperts: num(config, 'n_shared_experts') ?? 0,
      denseLayers: num(config, 'first_k_dense_replace') ?? 0,
      biases: modelType === 'gpt_oss',
    };
  }
  const sliding = slidingWindowOf(config, numLayers);
  if (sliding) arch.slidingWindow = sliding;
  return { ok: true, value: arch };
}
