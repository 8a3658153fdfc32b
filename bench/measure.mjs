// Shared timing for the in-process benchmarks: warm up, then time batches and report the median batch,
// which is steadier than the mean on a shared 2-core machine.
export function timePerOp(fn, { batches = 15, minBatchMs = 40 } = {}) {
  let perBatch = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i++) fn();
    const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (elapsedMs >= minBatchMs) break;
    perBatch *= 2;
  }
  const samples = [];
  for (let b = 0; b < batches; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i++) fn();
    samples.push(Number(process.hrtime.bigint() - start) / perBatch);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

export function formatNs(ns) {
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
}
