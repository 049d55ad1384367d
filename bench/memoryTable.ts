/**
 * The estimator's error against every published vLLM and SGLang start-up figure collected in
 * test/fixtures/published (each with its source): one line per case, then the median and worst.
 */
import {
  estimateCase,
  MORE_CASES,
  LOG_CASES,
  REFUSED_CASES,
  SHARED_CASES,
  WIDER_CASES,
  type PublishedVllmCase,
} from '../test/fixtures/published/vllmStartup.ts';
import { estimateSglangCase, SGLANG_CASES } from '../test/fixtures/published/sglangStartup.ts';
import { median } from './report.ts';

interface Line {
  name: string;
  engine: string;
  figure: string;
  want: number;
  got: number;
  errorPercent: number;
  fitRight: boolean | null;
  source: string;
}

function vllmLine(c: PublishedVllmCase): Line {
  const r = estimateCase(c);
  return {
    name: c.name,
    engine: `vLLM ${c.vllmVersion}`,
    figure: c.key,
    want: c.want,
    got: r.got,
    errorPercent: r.errorPercent,
    fitRight: c.fits === null ? null : r.fits === c.fits,
    source: c.source,
  };
}

export function memoryErrorLines(): Line[] {
  return [
    ...[...SHARED_CASES, ...MORE_CASES, ...LOG_CASES, ...WIDER_CASES, ...REFUSED_CASES].map(vllmLine),
    ...SGLANG_CASES.map((c) => {
      const r = estimateSglangCase(c);
      return {
        name: c.name,
        engine: `SGLang ${c.sglangVersion}`,
        figure: c.key,
        want: c.want,
        got: r.got,
        errorPercent: r.errorPercent,
        fitRight: null,
        source: c.source,
      };
    }),
  ];
}

export function printMemoryErrorTable(): { medianPercent: number; worstPercent: number; cases: number } {
  const lines = memoryErrorLines();
  const fmt = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(2));
  console.log('\nMemory estimate vs published start-up figures (error = |estimate - published| / published):');
  console.log(
    `${'case'.padEnd(42)} ${'engine'.padEnd(16)} ${'figure'.padEnd(14)} ${'published'.padStart(10)} ${'estimate'.padStart(10)} ${'error'.padStart(7)}  fit  source`,
  );
  for (const l of lines) {
    const fit = l.fitRight === null ? ' - ' : l.fitRight ? ' ok' : 'NO!';
    console.log(
      `${l.name.padEnd(42)} ${l.engine.padEnd(16)} ${l.figure.padEnd(14)} ${fmt(l.want).padStart(10)} ${fmt(l.got).padStart(10)} ${`${l.errorPercent.toFixed(1)} %`.padStart(7)}  ${fit}  ${l.source}`,
    );
  }
  const errors = lines.map((l) => l.errorPercent);
  // A KV figure below zero (a run vLLM refused) is judged in GiB, not relative to a number near 0.
  const worst = lines.filter((l) => l.want > 0).reduce((a, b) => (b.errorPercent > a.errorPercent ? b : a));
  const result = { medianPercent: median(errors), worstPercent: worst.errorPercent, cases: lines.length };
  console.log(
    `${lines.length} cases: median error ${result.medianPercent.toFixed(2)} % (target <= 3 %), worst ${worst.errorPercent.toFixed(1)} % (${worst.name}; figures above zero); fit verdict wrong in ${lines.filter((l) => l.fitRight === false).length}.`,
  );
  return result;
}

if (process.argv[1]?.endsWith('memoryTable.ts')) printMemoryErrorTable();
