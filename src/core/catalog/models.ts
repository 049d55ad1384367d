/**
 * Built-in models: the fields of each model's Hugging Face config.json that sizing reads, copied
 * from the published configs. Everything else (parameters, bytes) is computed from them.
 */
import { architectureFromHfConfig, type ModelArchitecture, type Quantization } from './architecture.ts';
import { resolveModelName, type NameMatch } from './modelNames.ts';
import { deepseekV3Like, GEMMA3_VISION_CONFIG, MODELS_2026 } from './models2026.ts';

type Config = Record<string, unknown>;

const llama = (
  hidden: number,
  inter: number,
  layers: number,
  heads: number,
  kv: number,
  extra: Config = {},
): Config => ({
  model_type: 'llama',
  hidden_size: hidden,
  intermediate_size: inter,
  num_hidden_layers: layers,
  num_attention_heads: heads,
  num_key_value_heads: kv,
  vocab_size: 128256,
  max_position_embeddings: 131072,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  ...extra,
});
const qwen3 = (
  hidden: number,
  inter: number,
  layers: number,
  heads: number,
  tie: boolean,
  extra: Config = {},
): Config => ({
  model_type: 'qwen3',
  hidden_size: hidden,
  intermediate_size: inter,
  num_hidden_layers: layers,
  num_attention_heads: heads,
  num_key_value_heads: 8,
  head_dim: 128,
  vocab_size: 151936,
  max_position_embeddings: 40960,
  tie_word_embeddings: tie,
  torch_dtype: 'bfloat16',
  ...extra,
});
const qwen25 = (
  hidden: number,
  inter: number,
  layers: number,
  heads: number,
  kv: number,
  vocab = 152064,
  tie = false,
): Config => ({
  model_type: 'qwen2',
  hidden_size: hidden,
  intermediate_size: inter,
  num_hidden_layers: layers,
  num_attention_heads: heads,
  num_key_value_heads: kv,
  vocab_size: vocab,
  max_position_embeddings: 32768,
  tie_word_embeddings: tie,
  torch_dtype: 'bfloat16',
  sliding_window: 131072,
  use_sliding_window: false,
});
const gemma3 = (hidden: number, inter: number, layers: number, heads: number, kv: number, headDim: number): Config => ({
  model_type: 'gemma3',
  torch_dtype: 'bfloat16',
  text_config: {
    model_type: 'gemma3_text',
    hidden_size: hidden,
    intermediate_size: inter,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: kv,
    head_dim: headDim,
    vocab_size: 262208,
    max_position_embeddings: 131072,
    sliding_window: 1024,
    sliding_window_pattern: 6,
    tie_word_embeddings: true,
  },
  vision_config: GEMMA3_VISION_CONFIG,
});
const gptOss = (layers: number, experts: number): Config => ({
  model_type: 'gpt_oss',
  hidden_size: 2880,
  intermediate_size: 2880,
  num_hidden_layers: layers,
  num_attention_heads: 64,
  num_key_value_heads: 8,
  head_dim: 64,
  num_local_experts: experts,
  num_experts_per_tok: 4,
  vocab_size: 201088,
  max_position_embeddings: 131072,
  sliding_window: 128,
  attention_bias: true,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  layer_types: Array.from({ length: layers }, (_, i) => (i % 2 === 0 ? 'sliding_attention' : 'full_attention')),
  quantization_config: {
    quant_method: 'mxfp4',
    modules_to_not_convert: ['model.layers.*.self_attn', 'model.layers.*.mlp.router', 'model.embed_tokens', 'lm_head'],
  },
});
/** DeepSeek-V3/R1 share one published config.json geometry (built in models2026.ts beside V3.1/V3.2). */
const deepseekV3: Config = deepseekV3Like();

/**
 * Models met in public serving samples (issue 12), each from its published config.json on the
 * Hugging Face Hub (huggingface.co/<id>/blob/main/config.json). Qwen2.5-VL carries its vision
 * tower's vision_config (counted by architecture.ts); Llava lists its text tower only (its CLIP
 * ViT-L/14 tower, 0.3 B parameters, is not counted). Where a config.json leaves a field to the transformers
 * class's default (llava-1.5's text_config, Gemma's tied embeddings), the default is written out.
 */
const gemma = (hidden: number, inter: number, layers: number, heads: number, kv: number): Config => ({
  model_type: 'gemma',
  hidden_size: hidden,
  intermediate_size: inter,
  num_hidden_layers: layers,
  num_attention_heads: heads,
  num_key_value_heads: kv,
  head_dim: 256,
  vocab_size: 256000,
  max_position_embeddings: 8192,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
});
const llama2 = (hidden: number, inter: number, layers: number, heads: number, kv: number, vocab = 32000): Config =>
  llama(hidden, inter, layers, heads, kv, { vocab_size: vocab, max_position_embeddings: 4096, torch_dtype: 'float16' });
const mistral7b = (extra: Config): Config => ({
  model_type: 'mistral',
  hidden_size: 4096,
  intermediate_size: 14336,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  vocab_size: 32000,
  max_position_embeddings: 32768,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  ...extra,
});
// Qwen2.5-VL's vision tower is the same 32-block ViT for every size; only its projector's output differs.
const qwen25vl = (
  hidden: number,
  inter: number,
  layers: number,
  heads: number,
  kv: number,
  vocab: number,
  tie: boolean,
): Config => ({
  ...qwen25(hidden, inter, layers, heads, kv, vocab, tie),
  model_type: 'qwen2_5_vl',
  max_position_embeddings: 128000,
  vision_config: {
    model_type: 'qwen2_5_vl',
    depth: 32,
    hidden_size: 1280,
    intermediate_size: 3420,
    num_heads: 16,
    in_chans: 3,
    out_hidden_size: hidden,
    patch_size: 14,
    spatial_merge_size: 2,
    temporal_patch_size: 2,
  },
});
const SERVING_SAMPLE_MODELS: [string, Config][] = [
  ['google/gemma-2b-it', gemma(2048, 16384, 18, 8, 1)],
  ['google/gemma-7b-it', gemma(3072, 24576, 28, 16, 16)],
  ['google/gemma-2-2b-it', { ...gemma(2304, 9216, 26, 8, 4), model_type: 'gemma2', sliding_window: 4096 }],
  ['meta-llama/Meta-Llama-3-8B-Instruct', llama(4096, 14336, 32, 32, 8, { max_position_embeddings: 8192 })],
  ['meta-llama/Meta-Llama-3-70B-Instruct', llama(8192, 28672, 80, 64, 8, { max_position_embeddings: 8192 })],
  ['meta-llama/Llama-2-7b-chat-hf', llama2(4096, 11008, 32, 32, 32)],
  ['meta-llama/Llama-2-13b-chat-hf', llama2(5120, 13824, 40, 40, 40)],
  ['meta-llama/Llama-2-70b-chat-hf', llama2(8192, 28672, 80, 64, 8)],
  [
    'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
    llama(2048, 5632, 22, 32, 4, { vocab_size: 32000, max_position_embeddings: 2048 }),
  ],
  ['mistralai/Mistral-7B-Instruct-v0.1', mistral7b({ sliding_window: 4096 })],
  ['mistralai/Mistral-7B-Instruct-v0.2', mistral7b({ sliding_window: null, rope_theta: 1000000 })],
  ['Qwen/Qwen2.5-1.5B-Instruct', qwen25(1536, 8960, 28, 12, 2, 151936, true)],
  ['Qwen/Qwen2.5-3B-Instruct', qwen25(2048, 11008, 36, 16, 2, 151936, true)],
  ['Qwen/Qwen2.5-VL-3B-Instruct', qwen25vl(2048, 11008, 36, 16, 2, 151936, true)],
  ['Qwen/Qwen2.5-VL-7B-Instruct', qwen25vl(3584, 18944, 28, 28, 4, 152064, false)],
  ['Qwen/Qwen2.5-VL-72B-Instruct', qwen25vl(8192, 29568, 80, 64, 8, 152064, false)],
  [
    'llava-hf/llava-1.5-7b-hf',
    { model_type: 'llava', torch_dtype: 'float16', text_config: llama2(4096, 11008, 32, 32, 32, 32064) },
  ],
  [
    'llava-hf/llava-1.5-13b-hf',
    { model_type: 'llava', torch_dtype: 'float16', text_config: llama2(5120, 13824, 40, 40, 40, 32064) },
  ],
  [
    'llava-hf/llava-v1.6-mistral-7b-hf',
    { model_type: 'llava_next', torch_dtype: 'float16', text_config: mistral7b({ vocab_size: 32064 }) },
  ],
  [
    'microsoft/Phi-3.5-mini-instruct',
    {
      model_type: 'phi3',
      hidden_size: 3072,
      intermediate_size: 8192,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 32,
      vocab_size: 32064,
      max_position_embeddings: 131072,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  ],
];

/** [Hugging Face id, config.json fields] */
const ENTRIES: [string, Config][] = [
  ...SERVING_SAMPLE_MODELS,
  ['meta-llama/Llama-3.2-1B-Instruct', llama(2048, 8192, 16, 32, 8, { head_dim: 64, tie_word_embeddings: true })],
  ['meta-llama/Llama-3.2-3B-Instruct', llama(3072, 8192, 28, 24, 8, { head_dim: 128, tie_word_embeddings: true })],
  ['meta-llama/Llama-3.1-8B-Instruct', llama(4096, 14336, 32, 32, 8)],
  ['meta-llama/Llama-3.1-70B-Instruct', llama(8192, 28672, 80, 64, 8)],
  ['meta-llama/Llama-3.3-70B-Instruct', llama(8192, 28672, 80, 64, 8)],
  [
    'RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic',
    llama(8192, 28672, 80, 64, 8, {
      quantization_config: {
        quant_method: 'compressed-tensors',
        config_groups: {
          group_0: { weights: { num_bits: 8, type: 'float', strategy: 'channel' }, targets: ['Linear'] },
        },
        ignore: ['lm_head'],
      },
    }),
  ],
  ['meta-llama/Llama-3.1-405B-Instruct', llama(16384, 53248, 126, 128, 8)],
  ['Qwen/Qwen3-0.6B', qwen3(1024, 3072, 28, 16, true)],
  ['Qwen/Qwen3-1.7B', qwen3(2048, 6144, 28, 16, true)],
  ['Qwen/Qwen3-4B', qwen3(2560, 9728, 36, 32, true)],
  ['Qwen/Qwen3-8B', qwen3(4096, 12288, 36, 32, false)],
  ['Qwen/Qwen3-14B', qwen3(5120, 17408, 40, 40, false)],
  ['Qwen/Qwen3-32B', qwen3(5120, 25600, 64, 64, false)],
  [
    'Qwen/Qwen3-30B-A3B',
    qwen3(2048, 6144, 48, 32, false, {
      model_type: 'qwen3_moe',
      num_key_value_heads: 4,
      num_experts: 128,
      num_experts_per_tok: 8,
      moe_intermediate_size: 768,
    }),
  ],
  [
    'Qwen/Qwen3-235B-A22B',
    qwen3(4096, 12288, 94, 64, false, {
      model_type: 'qwen3_moe',
      num_key_value_heads: 4,
      num_experts: 128,
      num_experts_per_tok: 8,
      moe_intermediate_size: 1536,
    }),
  ],
  ['Qwen/Qwen2.5-0.5B-Instruct', qwen25(896, 4864, 24, 14, 2, 151936, true)],
  ['Qwen/Qwen2.5-7B-Instruct', qwen25(3584, 18944, 28, 28, 4)],
  ['Qwen/Qwen2.5-14B-Instruct', qwen25(5120, 13824, 48, 40, 8)],
  ['Qwen/Qwen2.5-32B-Instruct', qwen25(5120, 27648, 64, 40, 8)],
  ['Qwen/Qwen2.5-72B-Instruct', qwen25(8192, 29568, 80, 64, 8)],
  [
    'mistralai/Mistral-7B-Instruct-v0.3',
    {
      model_type: 'mistral',
      hidden_size: 4096,
      intermediate_size: 14336,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      head_dim: 128,
      vocab_size: 32768,
      max_position_embeddings: 32768,
      sliding_window: null,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  ],
  [
    'mistralai/Mixtral-8x7B-Instruct-v0.1',
    {
      model_type: 'mixtral',
      hidden_size: 4096,
      intermediate_size: 14336,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      num_local_experts: 8,
      num_experts_per_tok: 2,
      vocab_size: 32000,
      max_position_embeddings: 32768,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  ],
  [
    'mistralai/Mixtral-8x22B-Instruct-v0.1',
    {
      model_type: 'mixtral',
      hidden_size: 6144,
      intermediate_size: 16384,
      num_hidden_layers: 56,
      num_attention_heads: 48,
      num_key_value_heads: 8,
      num_local_experts: 8,
      num_experts_per_tok: 2,
      vocab_size: 32768,
      max_position_embeddings: 65536,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  ],
  [
    'google/gemma-2-9b-it',
    {
      model_type: 'gemma2',
      hidden_size: 3584,
      intermediate_size: 14336,
      num_hidden_layers: 42,
      num_attention_heads: 16,
      num_key_value_heads: 8,
      head_dim: 256,
      vocab_size: 256000,
      max_position_embeddings: 8192,
      sliding_window: 4096,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
    },
  ],
  [
    'google/gemma-2-27b-it',
    {
      model_type: 'gemma2',
      hidden_size: 4608,
      intermediate_size: 36864,
      num_hidden_layers: 46,
      num_attention_heads: 32,
      num_key_value_heads: 16,
      head_dim: 128,
      vocab_size: 256000,
      max_position_embeddings: 8192,
      sliding_window: 4096,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
    },
  ],
  ['google/gemma-3-4b-it', gemma3(2560, 10240, 34, 8, 4, 256)],
  ['google/gemma-3-12b-it', gemma3(3840, 15360, 48, 16, 8, 256)],
  ['google/gemma-3-27b-it', gemma3(5376, 21504, 62, 32, 16, 128)],
  [
    'microsoft/Phi-3-mini-4k-instruct',
    {
      model_type: 'phi3',
      hidden_size: 3072,
      intermediate_size: 8192,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 32,
      vocab_size: 32064,
      max_position_embeddings: 4096,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  ],
  [
    'microsoft/Phi-3-medium-4k-instruct',
    {
      model_type: 'phi3',
      hidden_size: 5120,
      intermediate_size: 17920,
      num_hidden_layers: 40,
      num_attention_heads: 40,
      num_key_value_heads: 10,
      vocab_size: 32064,
      max_position_embeddings: 4096,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  ],
  [
    'microsoft/phi-4',
    {
      model_type: 'phi3',
      hidden_size: 5120,
      intermediate_size: 17920,
      num_hidden_layers: 40,
      num_attention_heads: 40,
      num_key_value_heads: 10,
      vocab_size: 100352,
      max_position_embeddings: 16384,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  ],
  ['deepseek-ai/DeepSeek-V3', deepseekV3],
  ['deepseek-ai/DeepSeek-R1', deepseekV3],
  ['openai/gpt-oss-20b', gptOss(24, 32)],
  ['openai/gpt-oss-120b', gptOss(36, 128)],
];

export interface CatalogModel {
  id: string;
  architecture: ModelArchitecture;
}

export const MODEL_CATALOG: readonly CatalogModel[] = [...ENTRIES, ...MODELS_2026].map(([id, config]) => {
  const parsed = architectureFromHfConfig(id, config);
  if (!parsed.ok) throw new Error(`built-in catalog entry ${id} is broken: ${parsed.message}`);
  return { id, architecture: parsed.value };
});

const CATALOG_IDS = MODEL_CATALOG.map((m) => m.id);
const RESOLVED = new Map<string, NameMatch | undefined>();

/** How a name as written maps onto the catalog (see modelNames.ts); remembered for the names a session meets. */
export function matchModelName(idOrName: string): NameMatch | undefined {
  if (RESOLVED.has(idOrName)) return RESOLVED.get(idOrName);
  const match = resolveModelName(idOrName, CATALOG_IDS);
  if (RESOLVED.size > 2000) RESOLVED.clear();
  RESOLVED.set(idOrName, match);
  return match;
}

const QUANTIZED = new Map<string, CatalogModel>();

/**
 * By id, any letter case, the name without its organization or an old Hub id; a quantized
 * checkpoint's name (`-AWQ`, `-GPTQ-Int4`, `-FP8`) gives the base geometry with that weight format.
 * Local paths and relatives of the same geometry are not returned (see findModelLoosely): a
 * caller that can read the real config.json should.
 */
export function findModel(idOrName: string): CatalogModel | undefined {
  const match = matchModelName(idOrName);
  if (!match || match.how === 'variant' || match.how === 'path') return undefined;
  const base = MODEL_CATALOG.find((m) => m.id === match.id);
  if (!base || match.how !== 'quantized' || !match.weightFormat || base.architecture.quantization) return base;
  const key = `${base.id} ${match.weightFormat}`;
  let quantized = QUANTIZED.get(key);
  if (!quantized) {
    const format = match.weightFormat;
    const quantization: Quantization = {
      method: `checkpoint name (${format})`,
      format,
      groupSize: 128,
      expertsOnly: false,
    };
    quantized = { id: base.id, architecture: { ...base.architecture, quantization } };
    QUANTIZED.set(key, quantized);
  }
  return quantized;
}

/**
 * What a linter, which reads no files, can still size: a local path ending in a known name
 * (`/models/Qwen3-8B/`), or a catalog model of the same geometry (a date refresh, a base model, an
 * R1 distill) as an approximation. findModel leaves both to callers that can read the config.json.
 */
export function findModelLoosely(idOrName: string): CatalogModel | undefined {
  const match = matchModelName(idOrName);
  return match?.how === 'variant' || match?.how === 'path' ? MODEL_CATALOG.find((m) => m.id === match.id) : undefined;
}
