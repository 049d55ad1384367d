// Builds the extension (Node, CommonJS, `vscode` external), the GLPK worker, and the webview
// (browser, ESM). `--production` minifies and drops source maps; `--watch` rebuilds on change.
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const { version } = JSON.parse(await readFile('package.json', 'utf8'));
const watch = process.argv.includes('--watch');

// glpk.js's Node build finds glpk.wasm through import.meta.url, which is empty in CommonJS:
// define it from __filename so the wasm loads from dist/ inside the installed extension.
const importMetaUrlBanner = "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;";

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  metafile: true,
  legalComments: 'none',
};

// Modules the extension loads on first use, as src/lazy.ts re-exports them: their dynamic imports
// from src/features resolve to dist/lazy.js, a bundle of its own, so that activation does not parse
// the linter, yaml, the plan exports or the right-sizer. Read from the file, so the two never differ.
const LAZY = new Set(
  [...(await readFile('src/lazy.ts', 'utf8')).matchAll(/^export \* from '\.\/(.+)';$/gm)].map((m) => join('src', m[1])),
);
/** @type {import('esbuild').Plugin} */
const lazyModules = {
  name: 'lazy-modules',
  setup(build) {
    build.onResolve({ filter: /\.ts$/ }, (args) => {
      if (args.kind !== 'dynamic-import' || !/[\\/]src[\\/]features[\\/]/.test(args.importer)) return undefined;
      const target = relative(process.cwd(), join(dirname(args.importer), args.path));
      return LAZY.has(target) ? { path: './lazy.js', external: true } : undefined;
    });
  },
};

/** @type {[string, import('esbuild').BuildOptions][]} name -> options; the name labels its metafile. */
const targets = [
  [
    'node',
    {
      ...common,
      entryPoints: {
        extension: 'src/extension.ts',
        'solver-worker': 'src/node/solverWorker.ts',
        'sysinfo-worker': 'src/node/sysinfoWorker.ts',
        cli: 'src/cli.ts',
        lazy: 'src/lazy.ts',
      },
      outdir: 'dist',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      banner: { js: importMetaUrlBanner },
      define: { 'import.meta.url': '__import_meta_url', __GPU_WORKBENCH_VERSION__: JSON.stringify(version) },
      plugins: [lazyModules],
      // `import('./lazy.js')` as require(): the extension host loads CommonJS.
      supported: { 'dynamic-import': false },
    },
  ],
  [
    'webview',
    {
      ...common,
      entryPoints: { webview: 'webview/main.ts' },
      outdir: 'dist',
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
    },
  ],
];

async function writeMeta(name, result) {
  if (result.metafile) await writeFile(`dist/meta-${name}.json`, JSON.stringify(result.metafile));
}

await rm('dist', { recursive: true, force: true });
await mkdir('dist', { recursive: true });
await copyFile('node_modules/glpk.js/dist/glpk.wasm', 'dist/glpk.wasm');

if (watch) {
  for (const [name, options] of targets) {
    const plugins = [
      ...(options.plugins ?? []),
      { name: 'metafile', setup: (build) => build.onEnd((result) => writeMeta(name, result)) },
    ];
    await (await esbuild.context({ ...options, plugins })).watch();
  }
  console.log('esbuild: watching src/ and webview/');
} else {
  await Promise.all(targets.map(async ([name, options]) => writeMeta(name, await esbuild.build(options))));
}
