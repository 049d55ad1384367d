import { sizeUnit } from '../sizingLookup.ts';
import type { Rule } from '../types.ts';

/** Says which memory checks could not run, instead of guessing. */
export const sizingNotChecked: Rule = {
  id: 'sizing-not-checked',
  severity: 'info',
  docs: { title: 'Memory checks that could not run', page: 'sizing-not-checked.md' },
  check({ units, options }) {
    return units.flatMap((unit) => {
      if (!unit.engine?.model) return [];
      const sizing = sizeUnit(unit, options);
      if (sizing.ok) return [];
      return [
        {
          ruleId: this.id,
          severity: this.severity,
          span: unit.engine.model.span,
          message: `Memory and over-provisioning not checked for "${unit.name.value}": ${sizing.reason}.`,
        },
      ];
    });
  },
};
