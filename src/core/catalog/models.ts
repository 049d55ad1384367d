/**
 * Built-in models: the fields of each model's Hugging Face config.json that sizing reads, copied
 * from the published configs. Everything else (parameters, bytes) is computed from them.
 */
import { architectureFromHfConfig, type ModelArchitecture } from './architecture.ts';
import { GEMMA3_VISION_CONFIG, MODELS_2026 } from './models2026.ts';

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
const deepseekV3: Config = {
  model_type: 'deepseek_v3',
  hidden_size: 7168,
  intermediate_size: 18432,
  moe_intermediate_size: 2048,
  num_hidden_layers: 61,
  num_attention_heads: 128,
  num_key_value_heads: 128,
  q_lora_rank: 1536,
  kv_lora_rank: 512,
  qk_nope_head_dim: 128,
  qk_rope_head_dim: 64,
  v_head_dim: 128,
  n_routed_experts: 256,
  num_experts_per_tok: 8,
  n_shared_experts: 1,
  first_k_dense_replace: 3,
  vocab_size: 129280,
  max_position_embeddings: 163840,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  quantization_config: {
    quant_method: 'fp8',
    fmt: 'e4m3',
    weight_block_size: [128, 128],
    activation_scheme: 'dynamic',
  },
};

/** [Hugging Face id, config.json fields] */
const ENTRIES: [string, Config][] = [
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

/** By exact id, then case-insensitively by id or by the name after the organization. */
export function findModel(idOrName: string): CatalogModel | undefined {
  const key = idOrName.trim().toLowerCase();
  return (
    MODEL_CATALOG.find((m) => m.id === idOrName.trim()) ??
    MODEL_CATALOG.find((m) => m.id.toLowerCase() === key) ??
    MODEL_CATALOG.find((m) => m.id.split('/')[1]?.toLowerCase() === key)
  );
}
