// Waits for the background build of dist/ started by test/global-setup.js and fails the
// run if it failed.
module.exports = async () => {
  const build = globalThis.__distBuild;
  if (build === undefined) {
    return;
  }
  const { code, output } = await build;
  if (code !== 0) {
    throw new Error(`building dist/ failed (exit ${code}):\n${output}`);
  }
};
