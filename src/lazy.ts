/**
 * What the extension loads on first use rather than at activation: one bundle, `dist/lazy.js`,
 * kept out of `dist/extension.js` by `esbuild.mjs`, which reads this list: every dynamic import of
 * these modules from `src/features` resolves to that bundle, so that activating the extension does
 * not parse the linter, the YAML library, the plan exports or the right-sizer. One module a line,
 * each written as the lines below are. List only modules that hold no state, or that the extension
 * never imports statically (a module in both bundles exists twice at run time).
 */
export * from './core/lint/lint.ts';
export * from './core/lint/sizingLookup.ts';
export * from './core/lint/unitSummary.ts';
export * from './core/lint/unitVerdict.ts';
export * from './core/rightsize/queries.ts';
export * from './node/rightsize.ts';
export * from './node/fleetCalibration.ts';
export * from './core/services/runCommand.ts';
export * from './node/remoteServices.ts';
export * from './core/solver/dpPacking.ts';
export * from './core/solver/lpText.ts';
export * from './core/solver/outcomeExport.ts';
export * from './core/solver/solvePlan.ts';
