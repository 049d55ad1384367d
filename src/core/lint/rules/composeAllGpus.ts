import { sizeUnit } from '../sizingLookup.ts';
import type { Rule } from '../types.ts';
import { parallelism } from '../unitHelpers.ts';

/** docker-compose `count: all` hands every GPU of the host to a service that uses TP x PP of them. */
export const composeAllGpus: Rule = {
  id: 'compose-all-gpus',
  severity: 'warning',
  docs: { title: 'compose count: all where fewer GPUs are used', page: 'compose-all-gpus.md' },
  check({ units, options }) {
    return units.flatMap((unit) => {
      const all = unit.gpus?.kind === 'compose' ? unit.gpus.all : undefined;
      if (!all || !unit.engine) return [];
      const needed = parallelism(unit);
      const sizing = sizeUnit(unit, options);
      return [
        {
          ruleId: this.id,
          severity: this.severity,
          span: all.span,
          message: `"${unit.name.value}" reserves all of the host's GPUs but ${unit.engine.engine === 'vllm' ? 'vLLM' : 'TGI'} uses ${needed}: the others cannot be given to another service${sizing.ok ? ` (each idle ${sizing.gpu.name} costs $${sizing.gpu.pricePerHour.toFixed(2)}/h at list price)` : ''}.`,
          fix:
            all.value === 'all'
              ? { title: `Reserve ${needed}`, edits: [{ span: all.span, newText: String(needed) }] }
              : undefined,
        },
      ];
    });
  },
};
