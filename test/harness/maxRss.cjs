// Preloaded into a CLI child by test/harness/cliRun.ts: writes the process's peak RSS (KiB) to
// the file named by GPU_WORKBENCH_MAX_RSS_FILE as it exits, so a test can bound its memory.
const { writeFileSync } = require('node:fs');
const file = process.env.GPU_WORKBENCH_MAX_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      writeFileSync(file, String(process.resourceUsage().maxRSS));
    } catch {
      // the test reports the missing figure
    }
  });
}
