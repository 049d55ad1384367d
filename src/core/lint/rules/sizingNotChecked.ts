import { sizeUnit } from '../sizingLookup.ts';
import type { Rule } from '../types.ts';

/** Says which memory checks could not run (an unknown model, a model given by an unset variable), instead of guessing. */
export const sizingNotChecked: Rule = {
  id: 'sizing-not-checked',
  severity: 'info',
  docs: { title: 'Memory checks that could not run', page: 'sizing-not-checked.md' },
  check({ units, options }) {
    return units.flatMap((unit) => {
      const span = unit.engine?.model?.span ?? unit.engine?.unresolvedModel?.span;
      if (!span) return [];
      const sizing = sizeUnit(unit, options);
      if (sizing.ok) return [];
      return [
        {
          ruleId: this.id,
          severity: this.severity,
          span,
          message: `Memory and over-provisioning not checked for "${unit.name.value}": ${sizing.reason}. The GPU counts and parallelism were checked.`,
          ...(sizing.missing ? { missing: sizing.missing } : {}),
        },
      ];
    });
  },
};
