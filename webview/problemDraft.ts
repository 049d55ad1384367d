/**
 * Which problem text the page shows when the extension sends one (pure: no DOM, unit-tested).
 *
 * When the page loads it says "ready" and the extension answers with the problem it keeps. That
 * answer can come half a second later (the extension host is busy loading the solver): an edit
 * typed in between is newer than the answer, and must not be replaced by it. A problem the user
 * asked for after the edit (an example, the inventory's pool) does replace it.
 */

/** Counts the page's own edits, and where the count stood when the page said "ready". */
export interface DraftClock {
  /** Edits made on this page (form fields or the JSON), in order. */
  readonly edits: number;
  /** `edits` when the page said "ready": the kept problem the extension answers with is that old. */
  readonly editsAtReady: number;
}

export const freshDraftClock = (): DraftClock => ({ edits: 0, editsAtReady: 0 });

/** One more local edit. */
export const edited = (clock: DraftClock): DraftClock => ({ ...clock, edits: clock.edits + 1 });

/** The page (re)said "ready": the extension's answer is as new as every edit so far. */
export const saidReady = (clock: DraftClock): DraftClock => ({ ...clock, editsAtReady: clock.edits });

/**
 * True when the page keeps its own text over the incoming one: the incoming problem is the kept
 * one sent back on "ready" (`restored`) and the user has edited since the page said "ready".
 */
export function keepsLocalDraft(clock: DraftClock, incoming: { restored?: boolean }): boolean {
  return incoming.restored === true && clock.edits > clock.editsAtReady;
}
