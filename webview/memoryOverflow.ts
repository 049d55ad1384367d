/** The memory picture's figures (pure: no DOM, unit-tested). */
import type { EstimateView } from '../src/shared/protocol.ts';

/** Parts as drawn: never negative (a negative KV cache is an overflow, drawn as such). */
export function drawnParts(view: EstimateView): { label: string; gib: number }[] {
  return view.parts.map((p) => ({ label: p.label, gib: Math.max(0, p.gib) }));
}

/** GiB the parts need beyond the usable memory (0 when they fit). */
export function overflowGiB(view: EstimateView): number {
  const need = drawnParts(view).reduce((sum, p) => sum + p.gib, 0);
  return Math.max(0, Math.round((need - view.usableGiB) * 100) / 100);
}
