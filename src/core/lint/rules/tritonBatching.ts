import type { Rule } from '../types.ts';

/** Triton: several GPU instances instead of dynamic batching, and max_batch_size 0 with dynamic batching. */
export const tritonBatching: Rule = {
  id: 'triton-batching',
  severity: 'warning',
  docs: { title: 'Triton instances and batching', page: 'triton-batching.md' },
  check({ triton }) {
    if (!triton) return [];
    const findings = [];
    if (triton.dynamicBatching && triton.maxBatchSize?.value === 0) {
      findings.push({
        ruleId: this.id,
        severity: 'error' as const,
        span: triton.maxBatchSize.span,
        message:
          'max_batch_size 0 turns batching off, so dynamic_batching cannot batch anything: Triton rejects this model configuration. Set max_batch_size to the largest batch the model takes.',
        fix: { title: 'Set max_batch_size to 8', edits: [{ span: triton.maxBatchSize.span, newText: '8' }] },
      });
    }
    for (const group of triton.instanceGroups) {
      const count = group.count?.value ?? 1;
      const onGpu = !group.kind || /KIND_GPU/.test(group.kind.value);
      if (!onGpu || count <= 1) continue;
      if (/vllm/i.test(triton.backend?.value ?? '')) {
        findings.push({
          ruleId: this.id,
          severity: 'error' as const,
          span: group.count!.span,
          message: `${count} instances of a vLLM model on one GPU: each instance's engine reserves gpu_memory_utilization (0.9 by default) of the GPU, so ${count} x 0.9 > 1 and the second instance runs out of memory. vLLM batches in flight: use one instance per GPU.`,
          fix: { title: 'Use one instance', edits: [{ span: group.count!.span, newText: '1' }] },
        });
      } else if (!triton.dynamicBatching) {
        findings.push({
          ruleId: this.id,
          severity: this.severity,
          span: group.count!.span,
          message: `${count} model instances per GPU without dynamic_batching: each copy holds its own weights in GPU memory while requests run one by one. Dynamic batching serves more requests per second with one copy.`,
        });
      }
    }
    return findings;
  },
};
