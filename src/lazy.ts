/**
 * What the extension loads on first use rather than at activation: one bundle, `dist/lazy.js`,
 * kept out of `dist/extension.js` by `esbuild.mjs`, which reads this list: every dynamic import of
 * these modules from `src/features` resolves to that bundle, so that activating the extension does
 * not parse the linter, the YAML library, the plan exports or the right-sizer. Keep each line in
 * the form `export * from './path.ts';`.
 */
export * from './core/lint/lint.ts';
export * from './core/lint/sizingLookup.ts';
export * from './core/lint/unitSummary.ts';
export * from './core/rightsize/queries.ts';
export * from './node/rightsize.ts';
export * from './core/solver/dpPacking.ts';
export * from './core/solver/lpText.ts';
export * from './core/solver/planExport.ts';
export * from './core/solver/provisioningExport.ts';
export * from './core/solver/solvePlan.ts';
