// `npm run bench`: every benchmark of the project, in one run, on the compiled code in dist/ (what
// ships). Each part prints its own figures next to a baseline measured in the same run.
// `npm run bench -- webhook check` runs only the parts named.
const ALL = ['pod-security', 'network-policy', 'webhook', 'hostile', 'check', 'check-stream', 'audit', 'audit-admission'];
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !ALL.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; the parts are: ${ALL.join(', ')}`);
  process.exit(2);
}
for (const name of asked.length > 0 ? asked : ALL) {
  const part = await import(`./${name}.mjs`);
  console.log(`\n== ${name} ==`);
  await part.run();
}
