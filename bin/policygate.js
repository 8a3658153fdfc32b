#!/usr/bin/env node
// The `policygate` command. The CLI itself (dist/) needs Node.js 24; this launcher is plain
// JavaScript that any Node from 16 on can run, so that `policygate` works wherever npm put it, even
// when the `node` on the PATH is older:
// - on Node 24 or newer, it runs the CLI in this process, loading nothing else first (the server's
//   start-up time is the webhook's);
// - on an older Node, it runs itself again on the Node 24 that the `node` dependency installed
//   (the registry's `node` package), passing the arguments, standard input and output, signals and
//   the exit code through: a child killed by a signal kills this process with the same signal.
// Kept as plain JS also so that `npm ci` can link it before `prepare` compiles dist/.

const REQUIRED_MAJOR = 24;
/** Set for the child: a Node that is still too old there must not start a third process. */
const RELAUNCHED = 'POLICYGATE_RELAUNCHED';

function fail(message) {
  process.stderr.write(`policygate: ${message}\n`);
  process.exit(2);
}

async function runHere() {
  delete process.env[RELAUNCHED]; // nothing the CLI starts should inherit it
  try {
    await import('../dist/cli/main.js');
  } catch (error) {
    // A checkout where nothing compiled yet: say what to run, not a module-resolution trace.
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && /dist[\\/]cli[\\/]main\.js/.test(String(error.message))) {
      const { fileURLToPath } = await import('node:url');
      fail(`${fileURLToPath(new URL('../dist/', import.meta.url))} is missing: run \`npm ci\` (or \`npm run build\`) in the policygate checkout`);
    }
    throw error;
  }
}

/** The path of the Node binary the `node` dependency installed, or undefined when it is missing. */
async function bundledNode() {
  const { existsSync, readFileSync } = await import('node:fs');
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  try {
    const manifestPath = createRequire(import.meta.url).resolve('node/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    // Its preinstall puts the binary where `bin.node` says (bin/node; bin/node.exe on Windows).
    const executable = typeof manifest.bin === 'object' ? manifest.bin.node : undefined;
    const path = typeof executable === 'string' ? join(dirname(manifestPath), executable) : undefined;
    return path !== undefined && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

async function runOn(node) {
  const { spawn } = await import('node:child_process');
  const { constants } = await import('node:os');
  const { fileURLToPath } = await import('node:url');
  // A signal sent to this process alone (kill PID, a supervisor) must reach the CLI. A Ctrl-C reaches
  // both already, as the terminal signals the whole foreground process group; the second SIGINT only
  // hastens `serve`'s shutdown (it then closes open connections at once). Listening before the child
  // exists: a signal that arrives while it is being started must not kill this process and leave it
  // running (the handler runs after spawn returns).
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGBREAK'].filter((signal) => signal in constants.signals);
  let child;
  const forward = (signal) => child?.kill(signal);
  for (const signal of signals) process.on(signal, forward);
  child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [RELAUNCHED]: process.version },
  });
  child.on('error', (error) => fail(`cannot run Node.js ${REQUIRED_MAJOR} at ${node}: ${error.message}`));
  child.on('exit', (code, signal) => {
    for (const name of signals) process.off(name, forward);
    if (signal === null) process.exit(code ?? 1);
    // Die of the same signal, so that a shell or supervisor sees what happened to the CLI; should this
    // process outlive it (a signal whose default is to be ignored), exit as a shell reports it.
    process.kill(process.pid, signal);
    setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 100);
  });
}

const major = Number(process.versions.node.split('.')[0]);
if (major >= REQUIRED_MAJOR) {
  await runHere();
} else if (process.env[RELAUNCHED] !== undefined) {
  fail(`the Node.js that policygate brings is ${process.version}, not ${REQUIRED_MAJOR} or newer: install policygate again`);
} else {
  const node = await bundledNode();
  if (node === undefined) {
    fail(
      `needs Node.js ${REQUIRED_MAJOR} or newer, and this is ${process.version}; the Node.js ${REQUIRED_MAJOR} that policygate ` +
        'brings is missing (the install script of its `node` dependency did not run: --ignore-scripts, or an allow-scripts ' +
        `list without \`node\`). Install policygate again with it allowed, or run it with Node.js ${REQUIRED_MAJOR} or newer.`,
    );
  } else {
    await runOn(node);
  }
}
