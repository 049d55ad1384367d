/**
 * Progress for a long first-run install (`npm start`): each step as it starts, then a line with
 * the time so far every `everyMs` until the work ends, so a 2-minute silent build reads as
 * progress, not a hang. Plain lines, not a redrawn one: they read the same in a log or a CI job.
 */

/** "0:05", "1:30", "12:00": minutes and seconds. */
export function elapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export interface ProgressOptions {
  print: (line: string) => void;
  everyMs?: number;
  now?: () => number;
}

/**
 * Runs `work`, handing it a `step(what, detail)` that prints "Installing <what> <detail>…"; while a step is under
 * way a line "  … still installing <what> (m:ss)" follows every `everyMs`. Nothing is printed when
 * `work` has nothing to install.
 */
export async function withProgress<T>(
  work: (step: (what: string, detail?: string) => void) => Promise<T>,
  { print, everyMs = 15_000, now = Date.now }: ProgressOptions,
): Promise<T> {
  let current: { what: string; since: number } | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  const step = (what: string, detail?: string) => {
    current = { what, since: now() };
    print(`Installing ${what}${detail ? ` ${detail}` : ''}…`);
    clearInterval(ticker);
    ticker = setInterval(() => {
      if (current) print(`  … still installing ${current.what} (${elapsed(now() - current.since)})`);
    }, everyMs);
  };
  try {
    const result = await work(step);
    if (current) print(`Installed (${elapsed(now() - current.since)} for the last step).`);
    return result;
  } finally {
    // Also when the install fails: the caller prints the error, and no tick follows it.
    clearInterval(ticker);
  }
}
