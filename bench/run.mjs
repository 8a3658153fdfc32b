// `npm run bench`: every benchmark of the project, in one run, on the compiled code in dist/ (what
// ships). Each part prints its own figures next to a baseline measured in the same run.
const parts = process.argv.slice(2);
const ALL = ['pod-security', 'webhook', 'check', 'audit'];
for (const name of parts.length > 0 ? parts : ALL) {
  let part;
  try {
    part = await import(`./${name}.mjs`);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(`${name}.mjs`)) continue;
    throw error;
  }
  console.log(`\n== ${name} ==`);
  await part.run();
}
