/**
 * A model's architecture as the sizing engine needs it, read from a Hugging Face `config.json`.
 * Every number is from the config; parameter counts are computed from it (parameters.ts), never
 * typed in.
 */
import type { Result } from '../result.ts';

export type WeightFormat = 'bf16' | 'fp16' | 'fp32' | 'fp8' | 'int8' | 'int4' | 'mxfp4' | 'nvfp4';

export interface Quantization {
  /** The config's quant_method: fp8, awq, gptq, compressed-tensors, mxfp4, bitsandbytes... */
  method: string;
  format: WeightFormat;
  /** Weights per scale group for int4 (AWQ/GPTQ: 128 typically). */
  groupSize?: number;
  /** gpt-oss quantizes only the MoE experts. */
  expertsOnly: boolean;
  /** int4 with an asymmetric zero point per group (AWQ, GPTQ without sym); symmetric formats store none. */
  zeroPoint?: boolean;
}

/** Linear-attention layers (Qwen3-Next's Gated DeltaNet): a fixed-size state per request instead of KV. */
export interface LinearAttention {
  layers: number;
  /** Recurrent (and convolution) state of one request in one layer, all heads, in bytes. */
  stateBytesPerLayer: number;
  /** Value heads; tensor parallelism splits the state across at most this many GPUs. */
  heads: number;
  /** Projection parameters of one linear-attention layer (replace the attention projections). */
  paramsPerLayer: number;
}

export interface MultiHeadLatentAttention {
  qLoraRank: number | undefined;
  kvLoraRank: number;
  qkNopeHeadDim: number;
  qkRopeHeadDim: number;
  vHeadDim: number;
  /** DeepSeek-V3.2's sparse-attention indexer caches fp8 keys of this width (+ a 4-byte scale) per layer. */
  indexHeadDim?: number;
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
  /** Linear-attention layers, counted in numLayers (hybrid models such as Qwen3-Next). */
  linearAttention?: LinearAttention;
  /**
   * Parameters of a vision (or audio) tower the checkpoint carries: vLLM loads it even when only
   * text is served, so it counts towards the weights, in 16 bits.
   */
  visionParams?: number;
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
  if (method === 'fp8' || method === 'fbgemm_fp8' || method === 'ptpc_fp8')
    return { method, format: 'fp8', expertsOnly: false };
  if (method === 'modelopt' || method === 'modelopt_fp4') {
    // NVIDIA ModelOpt: {"quant_method": "modelopt", "quant_algo": "FP8" | "NVFP4"} (older exports
    // nest it under "quantization"); NVFP4 is 4-bit E2M1 with an FP8 scale per 16 weights.
    const inner = (
      typeof quant.quantization === 'object' && quant.quantization !== null ? quant.quantization : quant
    ) as Json;
    const algo = stringField(
      inner.quant_algo ?? quant.quant_algo,
      method === 'modelopt_fp4' ? 'NVFP4' : 'FP8',
    ).toUpperCase();
    if (algo.includes('FP4')) return { method, format: 'nvfp4', groupSize: 16, expertsOnly: false };
    if (algo.includes('W4A')) return { method, format: 'int4', groupSize: 128, expertsOnly: false };
    return { method, format: 'fp8', expertsOnly: false };
  }
  if (method === 'awq' || method === 'gptq' || method === 'awq_marlin' || method === 'gptq_marlin') {
    // group_size -1 (GPTQ "per channel") keeps one scale per output row: negligible overhead.
    const g = groupSize === -1 ? Infinity : groupSize && groupSize > 0 ? groupSize : 128;
    const zeroPoint = method.startsWith('awq') ? quant.zero_point !== false : quant.sym === false;
    return { method, format: bits === 8 ? 'int8' : 'int4', groupSize: g, expertsOnly: false, zeroPoint };
  }
  if (method === 'bitsandbytes') {
    // NF4 with a block of 64 and double-quantized absmax (vLLM's bitsandbytes loader).
    return {
      method,
      format: quant.load_in_8bit === true ? 'int8' : 'int4',
      groupSize: 64,
      expertsOnly: false,
      zeroPoint: false,
    };
  }
  if (method === 'compressed-tensors') {
    // e.g. RedHatAI's FP8-dynamic checkpoints: config_groups.*.weights.{type: "float", num_bits: 8};
    // w8a8 int: {type: "int", num_bits: 8}; w4a16: {type: "int", num_bits: 4, group_size: 128};
    // NVFP4: {type: "float", num_bits: 4, group_size: 16}.
    const groups = Object.values((quant.config_groups as Json | undefined) ?? {}) as Json[];
    const weights = groups.map((g) => g.weights as Json | undefined).find(Boolean);
    const wbits = weights ? num(weights, 'num_bits') : undefined;
    const wgroup = weights ? num(weights, 'group_size') : undefined;
    if (weights?.type === 'float' && wbits === 8) return { method, format: 'fp8', expertsOnly: false };
    if (weights?.type === 'float' && wbits === 4)
      return { method, format: 'nvfp4', groupSize: wgroup ?? 16, expertsOnly: false };
    if (wbits === 8) return { method, format: 'int8', expertsOnly: false };
    if (wbits === 4)
      return {
        method,
        format: 'int4',
        groupSize: weights?.strategy === 'channel' ? Infinity : wgroup || 128,
        expertsOnly: false,
        zeroPoint: weights?.symmetric === false,
      };
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

/**
 * Qwen3-Next (model_type qwen3_next): layer_types "linear_attention" (Gated DeltaNet) keep, per
 * request and layer, a recurrent state of v_heads x k_head_dim x v_head_dim and a short
 * convolution state of (conv_kernel - 1) x (2 x k_heads x k_head_dim + v_heads x v_head_dim),
 * in the model dtype (vLLM's mamba_utils gated_delta_net_state_shape).
 */
function linearAttentionOf(config: Json, numLayers: number, hidden: number): LinearAttention | undefined {
  const types = config.layer_types;
  let layers = Array.isArray(types) ? types.filter((t) => t === 'linear_attention').length : 0;
  const interval = num(config, 'full_attention_interval');
  if (layers === 0 && interval && interval > 1 && num(config, 'linear_num_value_heads'))
    layers = numLayers - Math.floor(numLayers / interval);
  if (layers === 0) return undefined;
  const vHeads = num(config, 'linear_num_value_heads') ?? 32;
  const kHeads = num(config, 'linear_num_key_heads') ?? 16;
  const kDim = num(config, 'linear_key_head_dim') ?? 128;
  const vDim = num(config, 'linear_value_head_dim') ?? 128;
  const kernel = num(config, 'linear_conv_kernel_dim') ?? 4;
  const convChannels = 2 * kHeads * kDim + vHeads * vDim;
  const bytes = 2;
  const stateBytesPerLayer = (vHeads * kDim * vDim + (kernel - 1) * convChannels) * bytes;
  // in_proj_qkvz + in_proj_ba + conv1d + out_proj (Qwen3-Next modeling code).
  const paramsPerLayer =
    hidden * (convChannels + vHeads * vDim) + hidden * 2 * vHeads + convChannels * kernel + vHeads * vDim * hidden;
  return { layers, stateBytesPerLayer, heads: vHeads, paramsPerLayer };
}

/**
 * A multimodal checkpoint's vision tower, from its vision_config: ViT blocks of attention (4 h^2)
 * and MLP (2 or 3 x h x intermediate), plus the patch embedding and a projector into the text
 * model's hidden size. Gemma 3 (SigLIP 400M), Qwen2.5-VL, Llama 4, Mistral Small 3.1 carry one.
 */
function visionParamsOf(outer: Json): number {
  const v = outer.vision_config;
  if (typeof v !== 'object' || v === null) return 0;
  const vc = v as Json;
  const h = num(vc, 'hidden_size', 'embed_dim', 'width');
  const layers = num(vc, 'num_hidden_layers', 'depth', 'num_layers');
  if (!h || !layers) return 0;
  const inter = num(vc, 'intermediate_size') ?? 4 * h;
  const gated = /qwen2_5_vl|qwen3_vl|mllama|pixtral/.test(stringField(vc.model_type ?? outer.model_type, ''));
  const patch = num(vc, 'patch_size') ?? 14;
  const channels = num(vc, 'num_channels', 'in_channels', 'in_chans') ?? 3;
  const temporal = num(vc, 'temporal_patch_size') ?? 1;
  const block = 4 * h * h + (gated ? 3 : 2) * h * inter + 4 * h;
  const text = outer.text_config as Json | undefined;
  const textHidden = (text && num(text, 'hidden_size')) ?? num(vc, 'out_hidden_size', 'projection_dim') ?? h;
  const projector = (num(vc, 'out_hidden_size') ? 4 * h * h + 4 * h * textHidden : h * textHidden) + textHidden;
  return layers * block + patch * patch * channels * temporal * h + projector;
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
    const indexHeadDim = num(config, 'index_head_dim');
    if (indexHeadDim) arch.mla.indexHeadDim = indexHeadDim;
  }
  if (numExperts && numExperts > 1) {
    // Llama 4: every interleave_moe_layer_step-th layer is MoE (one shared expert beside the routed
    // ones, of intermediate_size); the others are dense MLPs of intermediate_size_mlp.
    const llama4 = modelType.startsWith('llama4');
    const step = num(config, 'interleave_moe_layer_step') ?? 1;
    arch.moe = {
      numExperts,
      expertsPerToken: num(config, 'num_experts_per_tok', 'num_experts_per_token', 'experts_per_token') ?? 2,
      expertIntermediateSize: num(config, 'moe_intermediate_size') ?? intermediateSize,
      sharedExperts: num(config, 'n_shared_experts') ?? (llama4 ? 1 : 0),
      denseLayers: num(config, 'first_k_dense_replace') ?? (step > 1 ? numLayers - Math.floor(numLayers / step) : 0),
      biases: modelType === 'gpt_oss',
    };
    const denseMlp = num(config, 'intermediate_size_mlp');
    if (llama4 && denseMlp) arch.intermediateSize = denseMlp;
  }
  const sliding = slidingWindowOf(config, numLayers);
  if (sliding) arch.slidingWindow = sliding;
  // Llama 4's chunked local attention (attention_chunk_size) on 3 layers in 4 (every 4th is global,
  // no RoPE): vLLM's hybrid KV-cache manager keeps one chunk for them, as for a sliding window.
  const chunk = num(config, 'attention_chunk_size');
  if (chunk && !sliding && modelType.startsWith('llama4'))
    arch.slidingWindow = { window: chunk, layers: numLayers - Math.floor(numLayers / 4) };
  const linear = linearAttentionOf(config, numLayers, hiddenSize);
  if (linear) arch.linearAttention = linear;
  const vision = visionParamsOf(outer);
  if (vision > 0) arch.visionParams = vision;
  if (numExperts && numExperts > 1 && arch.moe) {
    const shared = num(config, 'shared_expert_intermediate_size');
    if (shared && arch.moe.sharedExperts === 0) arch.moe.sharedExperts = shared / arch.moe.expertIntermediateSize;
  }
  return { ok: true, value: arch };
}
