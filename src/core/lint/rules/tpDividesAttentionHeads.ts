import { validTensorParallel } from '../../sizing/suggest.ts';
import { ENGINE_LABEL, flagName } from '../engineArgs.ts';
import { modelOf } from '../sizingLookup.ts';
import type { Rule } from '../types.ts';

/** vLLM: "Total number of attention heads (N) must be divisible by tensor parallel size (T)". */
export const tpDividesAttentionHeads: Rule = {
  id: 'tp-divides-attention-heads',
  severity: 'error',
  docs: { title: 'Tensor parallelism must divide the attention heads', page: 'tp-divides-attention-heads.md' },
  check({ units, options }) {
    return units.flatMap((unit) => {
      const tp = unit.engine?.tensorParallel;
      const model = unit.engine?.model ? modelOf(unit.engine.model.value, options) : undefined;
      if (!tp || !model || model.numAttentionHeads % tp.value === 0) return [];
      const valid =
        validTensorParallel(model)
          .filter((t) => t < tp.value)
          .at(-1) ?? 1;
      return [
        {
          ruleId: this.id,
          severity: this.severity,
          span: tp.span,
          message: `${model.id} has ${model.numAttentionHeads} attention heads, which ${flagName(unit.engine!.engine, 'tensorParallel')} ${tp.value} does not divide: ${ENGINE_LABEL[unit.engine!.engine]} refuses to start. Valid sizes: ${validTensorParallel(model).join(', ')}.`,
          fix: { title: `Use tensor parallel ${valid}`, edits: [{ span: tp.span, newText: String(valid) }] },
        },
      ];
    });
  },
};
