import { ENGINE_LABEL } from '../engineArgs.ts';
import { defaultNote, unitGpu } from '../sizingLookup.ts';
import type { Rule } from '../types.ts';
import { enginePlan, parallelism, plural } from '../unitHelpers.ts';

/** docker-compose `count: all` hands every GPU of the host to a service that uses TP x PP of them. */
export const composeAllGpus: Rule = {
  id: 'compose-all-gpus',
  severity: 'warning',
  docs: { title: 'compose count: all where fewer GPUs are used', page: 'compose-all-gpus.md' },
  check({ units, options }) {
    return units.flatMap((unit) => {
      const all = unit.gpus?.kind === 'compose' ? unit.gpus.all : undefined;
      // TGI without --num-shard shards over every GPU it is given: `all` is what it uses.
      if (!all || !unit.engine || enginePlan(unit).tp === undefined) return [];
      const needed = parallelism(unit);
      const found = unitGpu(unit, options);
      return [
        {
          ruleId: this.id,
          severity: this.severity,
          span: all.span,
          message: `"${unit.name.value}" reserves all of the host's GPUs but ${ENGINE_LABEL[unit.engine.engine]} uses ${plural(needed, 'GPU')}: the others cannot be given to another service${found.ok ? ` (each idle ${found.gpu.name} costs $${found.gpu.pricePerHour.toFixed(2)}/h at list price)${defaultNote(found.fromDefault)}` : ''}.`,
          fix:
            all.value === 'all'
              ? { title: `Reserve ${needed}`, edits: [{ span: all.span, newText: String(needed) }] }
              : undefined,
        },
      ];
    });
  },
};
