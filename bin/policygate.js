#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/. Kept as plain JS so that `npm ci` can link it
// before `prepare` compiles, and so that it can refuse an old Node with a clear message.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `policygate needs Node.js 24 or newer; this is ${process.version}.\n` +
      'Run it through npm (npm start, npx policygate), which uses the Node 24 that `npm ci` installs.\n',
  );
  process.exit(2);
}
await import('../dist/cli/main.js');
