#!/usr/bin/env node
// The `policygate` command. The CLI itself (dist/) needs Node.js 24; this launcher is plain
// JavaScript that any Node from 16 on can run, so that `policygate` works wherever npm put it, even
// when the `node` on the PATH is older:
// - on Node 24 or newer, it runs the CLI in this process;
// - on an older Node, it runs itself again on the Node 24 that the `node` dependency installed
//   (the registry's `node` package), passing the arguments, standard input and output, signals and
//   the exit code through: a child killed by a signal kills this process with the same signal.
// Kept as plain JS also so that `npm ci` can link it before `prepare` compiles dist/.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REQUIRED_MAJOR = 24;
/** Signals a user or a supervisor sends to stop or poke a process, as this platform has them. */
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGBREAK'].filter((signal) => signal in constants.signals);
/** Set for the child: a Node that is still too old there must not start a third process. */
const RELAUNCHED = 'POLICYGATE_RELAUNCHED';

function fail(message) {
  process.stderr.write(`policygate: ${message}\n`);
  process.exit(2);
}

/** The path of the Node binary the `node` dependency installed, or undefined when it is missing. */
function bundledNode() {
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

async function runHere() {
  delete process.env[RELAUNCHED]; // nothing the CLI starts should inherit it
  try {
    await import('../dist/cli/main.js');
  } catch (error) {
    // A checkout where nothing compiled yet: say what to run, not a module-resolution trace.
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && /dist[\\/]cli[\\/]main\.js/.test(String(error.message))) {
      fail(`${fileURLToPath(new URL('../dist/', import.meta.url))} is missing: run \`npm ci\` (or \`npm run build\`) in the policygate checkout`);
    }
    throw error;
  }
}

function runOn(node) {
  // A signal sent to this process alone (kill PID, a supervisor) must reach the CLI. A Ctrl-C reaches
  // both already, as the terminal signals the whole foreground process group; the second SIGINT only
  // hastens `serve`'s shutdown (it then closes open connections at once). Listening before the child
  // exists: a signal that arrives while it is being started must not kill this process and leave it
  // running (the handler runs after spawn returns).
  let child;
  const forward = (signal) => child?.kill(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [RELAUNCHED]: process.version },
  });
  child.on('error', (error) => fail(`cannot run Node.js ${REQUIRED_MAJOR} at ${node}: ${error.message}`));
  child.on('exit', (code, signal) => {
    for (const name of FORWARDED_SIGNALS) process.off(name, forward);
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
} else {
  const node = bundledNode();
  if (process.env[RELAUNCHED] !== undefined) {
    fail(`the Node.js that policygate brings is ${process.version}, not ${REQUIRED_MAJOR} or newer: install policygate again`);
  } else if (node === undefined) {
    fail(
      `needs Node.js ${REQUIRED_MAJOR} or newer, and this is ${process.version}; the Node.js ${REQUIRED_MAJOR} that policygate ` +
        "brings is missing (the install script of its `node` dependency did not run: --ignore-scripts, or an allow-scripts " +
        `list without \`node\`). Install policygate again with it allowed, or run it with Node.js ${REQUIRED_MAJOR} or newer.`,
    );
  } else {
    runOn(node);
  }
}
