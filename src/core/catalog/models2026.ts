/**
 * Models people serve in 2026: the config.json fields sizing reads, as each model publishes them
 * on the Hugging Face Hub (config.json of the repository named). Parameter counts are computed.
 */

type Config = Record<string, unknown>;

const fp8Blocks = { quant_method: 'fp8', fmt: 'e4m3', weight_block_size: [128, 128], activation_scheme: 'dynamic' };

/** DeepSeek-V3 geometry (deepseek-ai/DeepSeek-V3, -R1, -V3.1 and -R1-0528 publish the same config). */
export const deepseekV3Like = (extra: Config = {}): Config => ({
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
  quantization_config: fp8Blocks,
  ...extra,
});

/** Llama 4 (meta-llama/Llama-4-Scout-17B-16E-Instruct, -Maverick-17B-128E-Instruct): text_config + vision_config. */
const llama4 = (experts: number, interleave: number): Config => ({
  model_type: 'llama4',
  torch_dtype: 'bfloat16',
  text_config: {
    model_type: 'llama4_text',
    hidden_size: 5120,
    intermediate_size: 8192,
    intermediate_size_mlp: 16384,
    num_hidden_layers: 48,
    num_attention_heads: 40,
    num_key_value_heads: 8,
    head_dim: 128,
    vocab_size: 202048,
    num_local_experts: experts,
    num_experts_per_tok: 1,
    interleave_moe_layer_step: interleave,
    max_position_embeddings: 10485760,
    attention_chunk_size: 8192,
    tie_word_embeddings: false,
  },
  vision_config: {
    model_type: 'llama4_vision_model',
    hidden_size: 1408,
    intermediate_size: 5632,
    num_hidden_layers: 34,
    patch_size: 14,
    num_channels: 3,
    projector_output_dim: 4096,
  },
});

const gemma3Vision = {
  model_type: 'siglip_vision_model',
  hidden_size: 1152,
  intermediate_size: 4304,
  num_hidden_layers: 27,
  patch_size: 14,
  image_size: 896,
};

/** [Hugging Face id, config.json fields] */
export const MODELS_2026: [string, Config][] = [
  ['meta-llama/Llama-4-Scout-17B-16E-Instruct', llama4(16, 1)],
  ['meta-llama/Llama-4-Maverick-17B-128E-Instruct', llama4(128, 2)],
  ['deepseek-ai/DeepSeek-V3.1', deepseekV3Like()],
  ['deepseek-ai/DeepSeek-R1-0528', deepseekV3Like()],
  [
    // DeepSeek Sparse Attention adds a lightning indexer whose keys are cached too (index_head_dim).
    'deepseek-ai/DeepSeek-V3.2-Exp',
    deepseekV3Like({ model_type: 'deepseek_v32', index_head_dim: 128, index_n_heads: 64, index_topk: 2048 }),
  ],
  [
    'moonshotai/Kimi-K2-Instruct',
    deepseekV3Like({
      num_attention_heads: 64,
      num_key_value_heads: 64,
      n_routed_experts: 384,
      first_k_dense_replace: 1,
      vocab_size: 163840,
      max_position_embeddings: 131072,
    }),
  ],
  [
    'zai-org/GLM-4.5',
    {
      model_type: 'glm4_moe',
      hidden_size: 5120,
      intermediate_size: 12288,
      moe_intermediate_size: 1536,
      num_hidden_layers: 92,
      num_attention_heads: 96,
      num_key_value_heads: 8,
      head_dim: 128,
      n_routed_experts: 160,
      n_shared_experts: 1,
      num_experts_per_tok: 8,
      first_k_dense_replace: 3,
      attention_bias: true,
      vocab_size: 151552,
      max_position_embeddings: 131072,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  ],
  [
    'Qwen/Qwen3-Next-80B-A3B-Instruct',
    {
      model_type: 'qwen3_next',
      hidden_size: 2048,
      intermediate_size: 5120,
      moe_intermediate_size: 512,
      shared_expert_intermediate_size: 512,
      num_experts: 512,
      num_experts_per_tok: 10,
      num_hidden_layers: 48,
      num_attention_heads: 16,
      num_key_value_heads: 2,
      head_dim: 256,
      full_attention_interval: 4,
      linear_num_value_heads: 32,
      linear_num_key_heads: 16,
      linear_key_head_dim: 128,
      linear_value_head_dim: 128,
      linear_conv_kernel_dim: 4,
      vocab_size: 151936,
      max_position_embeddings: 262144,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  ],
  [
    'mistralai/Mistral-Small-3.1-24B-Instruct-2503',
    {
      model_type: 'mistral3',
      torch_dtype: 'bfloat16',
      text_config: {
        model_type: 'mistral',
        hidden_size: 5120,
        intermediate_size: 32768,
        num_hidden_layers: 40,
        num_attention_heads: 32,
        num_key_value_heads: 8,
        head_dim: 128,
        vocab_size: 131072,
        max_position_embeddings: 131072,
        tie_word_embeddings: false,
      },
      vision_config: {
        model_type: 'pixtral',
        hidden_size: 1024,
        intermediate_size: 4096,
        num_hidden_layers: 24,
        patch_size: 14,
        num_channels: 3,
      },
    },
  ],
  [
    'mistralai/Mistral-Small-24B-Instruct-2501',
    {
      model_type: 'mistral',
      hidden_size: 5120,
      intermediate_size: 32768,
      num_hidden_layers: 40,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      head_dim: 128,
      vocab_size: 131072,
      max_position_embeddings: 32768,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  ],
  [
    'microsoft/Phi-4-mini-instruct',
    {
      model_type: 'phi3',
      hidden_size: 3072,
      intermediate_size: 8192,
      num_hidden_layers: 32,
      num_attention_heads: 24,
      num_key_value_heads: 8,
      vocab_size: 200064,
      max_position_embeddings: 131072,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
    },
  ],
];

/** The SigLIP vision tower Gemma 3 4B/12B/27B checkpoints carry (vision_config of google/gemma-3-*-it). */
export const GEMMA3_VISION_CONFIG: Config = gemma3Vision;
