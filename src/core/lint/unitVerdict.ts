/**
 * The hover's first line for one serving unit: the verdict before the numbers. "Does not fit",
 * "Wastes N GPUs" (what the over-provisioning and GPU-count rules find, over every replica),
 * "Fits", or "Not sized" with the reason.
 */
import { GIB } from '../sizing/servingMemory.ts';
import { RULES } from './ruleRegistry.ts';
import { sizeUnit, unitGpu } from './sizingLookup.ts';
import type { Finding, LintContext, ServingUnit } from './types.ts';
import { hourly, plural, thousands } from './unitHelpers.ts';

export type VerdictKind = 'does-not-fit' | 'wastes' | 'fits' | 'not-sized';

export interface UnitVerdict {
  kind: VerdictKind;
  /** One line: "Wastes 2 GPUs ($8.00/h at … list price): it fits on 1 GPU instead of 2 per replica." */
  text: string;
}

/** The rules' findings about this unit alone (a rule that throws says nothing here: lintText reports it). */
function findingsFor(unit: ServingUnit, context: Omit<LintContext, 'units' | 'triton'>): Finding[] {
  return RULES.flatMap((rule) => {
    try {
      return rule.check({ ...context, units: [unit] });
    } catch {
      return [];
    }
  });
}

export function unitVerdict(unit: ServingUnit, context: Omit<LintContext, 'units' | 'triton'>): UnitVerdict {
  const sizing = sizeUnit(unit, context.options);
  if (sizing.ok && !sizing.estimate.fits)
    return {
      kind: 'does-not-fit',
      text: `Does not fit ${sizing.gpu.name}: ${sizing.estimate.problems.join(' ')}`,
    };
  const wastes = findingsFor(unit, context).flatMap((f) => (f.waste ? [f.waste] : []));
  const idle = wastes.reduce((n, w) => n + w.gpus, 0);
  if (idle > 0) {
    const found = unitGpu(unit, context.options);
    return {
      kind: 'wastes',
      text: `Wastes ${plural(idle, 'GPU')}${hourly(found.ok ? found.gpu : undefined, idle)}: ${wastes.map((w) => w.why).join('; ')}.`,
    };
  }
  if (!sizing.ok) return { kind: 'not-sized', text: `Not sized: ${sizing.reason}.` };
  const e = sizing.estimate;
  return {
    kind: 'fits',
    text: `Fits: ${(e.kvCacheBytes / GIB).toFixed(2)} GiB of KV cache per GPU = ${thousands(e.kvCacheTokens)} tokens = ${e.maxConcurrency.toFixed(1)} full-length requests of ${thousands(e.settings.maxModelLen)} tokens at once.`,
  };
}
