#!/usr/bin/env node
// Built by `npm install` (the `prepare` script runs `tsc`). From a checkout without a build,
// run `npm run build` first or use `node --import tsx src/cli/main.ts`.
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('onecore-sync: not built yet; run `npm run build` (npm install does it) and try again\n');
    process.exit(1);
  }
  throw err;
});
