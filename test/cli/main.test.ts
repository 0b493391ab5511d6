import { main } from '../../bin/cli/main';

function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = main(argv, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

describe('cdktf-immutable command line', () => {
  test('--help lists the exit codes', () => {
    const result = run('--help');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Usage: cdktf-immutable/);
    expect(result.out).toMatch(/2 {2}bad input/);
  });

  test('--version prints the package version', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { version } = require('../../package.json') as { version: string };
    expect(run('--version')).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });

  test('an unknown command is bad input (exit 2) and names the command', () => {
    const result = run('deploy-everything');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/unknown command "deploy-everything"/);
  });

  test('--version with arguments is bad input', () => {
    expect(run('--version', 'x').code).toBe(2);
  });
});
