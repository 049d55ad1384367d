/** One figure of `npm run bench`, printed beside its budget or baseline as a ratio. */
export interface Row {
  figure: string;
  value: number;
  unit: string;
  baseline: number;
  baselineNote: string;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export function printRows(rows: Row[]): void {
  const width = Math.max(...rows.map((r) => r.figure.length));
  console.log(`${'figure'.padEnd(width)}  ${'measured'.padStart(12)}  ${'baseline'.padStart(12)}  ratio  baseline is`);
  for (const row of rows) {
    const fmt = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ${row.unit}`.padStart(12);
    console.log(
      `${row.figure.padEnd(width)}  ${fmt(row.value)}  ${fmt(row.baseline)}  ${(row.value / row.baseline).toFixed(2).padStart(5)}  ${row.baselineNote}`,
    );
  }
}
