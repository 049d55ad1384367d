import type { Rule } from '../types.ts';

/** Kubernetes rejects a pod whose nvidia.com/gpu request is not matched by an equal limit. */
export const gpuRequestsWithoutLimits: Rule = {
  id: 'gpu-requests-without-limits',
  severity: 'error',
  docs: { title: 'GPU requests without equal limits', page: 'gpu-requests-without-limits.md' },
  check({ units }) {
    return units.flatMap((unit) => {
      const g = unit.gpus;
      if (g?.kind !== 'kubernetes' || !g.request) return [];
      if (!g.limit) {
        const fix = g.insertLimits
          ? {
              title: `Add limits: ${g.resource ?? 'nvidia.com/gpu'}: ${g.request.value}`,
              edits: [
                {
                  span: { start: g.insertLimits.offset, end: g.insertLimits.offset },
                  newText: `${g.insertLimits.indent}limits:\n${g.insertLimits.indent}  ${g.resource ?? 'nvidia.com/gpu'}: ${g.request.value}\n`,
                },
              ],
            }
          : undefined;
        return [
          {
            ruleId: this.id,
            severity: this.severity,
            span: g.request.span,
            message: `"${unit.name.value}" requests ${g.request.value} ${g.resource ?? 'nvidia.com/gpu'} without a limit: Kubernetes only accepts GPUs as limits (requests must equal them), so the pod is rejected.`,
            fix,
          },
        ];
      }
      if (g.limit.value !== g.request.value) {
        return [
          {
            ruleId: this.id,
            severity: this.severity,
            span: g.request.span,
            message: `"${unit.name.value}" requests ${g.request.value} ${g.resource ?? 'nvidia.com/gpu'} but limits ${g.limit.value}: Kubernetes requires GPU requests to equal limits.`,
            fix: {
              title: `Set the request to ${g.limit.value}`,
              edits: [{ span: g.request.span, newText: String(g.limit.value) }],
            },
          },
        ];
      }
      return [];
    });
  },
};
