#!/usr/bin/env bash
# Qwen2.5-7B has 28 attention heads: tensor parallel 8 does not divide them.
set -euo pipefail
vllm serve Qwen/Qwen2.5-7B-Instruct \
  --tensor-parallel-size 8 \
  --max-model-len 32768 \
  --gpu-memory-utilization 0.98
