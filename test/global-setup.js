// Compiles lib/ and bin/ to dist/ once per jest run, so that the CLI tests run the
// built command exactly as a user's `npx cdktf-immutable` would.
const { execFileSync } = require('child_process');
const path = require('path');

module.exports = async () => {
  const root = path.resolve(__dirname, '..');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: 'inherit',
  });
};
