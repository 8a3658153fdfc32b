// Preloaded into a benchmarked child process (`node --require bench/peak-rss.cjs …`): at exit, writes the
// process's peak resident set size in KiB to the file PEAK_RSS_FILE names.
process.on('exit', () => {
  if (process.env.PEAK_RSS_FILE) require('node:fs').writeFileSync(process.env.PEAK_RSS_FILE, String(process.resourceUsage().maxRSS));
});
