import { spawnSync } from 'child_process';
import { join, resolve } from 'path';
import { requireBuiltDist } from '../support/built-dist';

/**
 * `cdktf-immutable/docker` is its own entry point, so that `cdktf-immutable` never loads
 * @cdktf/provider-docker (an optional peer dependency). Checked on the build (dist/,
 * see test/support/built-dist.ts) through the package's own name, in a fresh node
 * process, as a consumer loads it.
 */
const ROOT = resolve(__dirname, '..', '..');

/** Makes `@cdktf/provider-docker` unresolvable, as in a project that did not install it. */
const WITHOUT_DOCKER = `
  const Module = require('module');
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    if (request === '@cdktf/provider-docker' || request.startsWith('@cdktf/provider-docker/')) {
      const error = new Error("Cannot find module '" + request + "'");
      error.code = 'MODULE_NOT_FOUND';
      throw error;
    }
    return resolveFilename.call(this, request, ...rest);
  };
`;

interface Loaded {
  readonly resolved: string;
  readonly exports: string[];
  /** Loaded files of @cdktf/provider-docker and of cdktf. */
  readonly docker: string[];
  readonly cdktf: number;
}

function load(specifier: string, prelude = ''): Loaded {
  const program = `
    ${prelude}
    const api = require(${JSON.stringify(specifier)});
    const loaded = Object.keys(require.cache);
    process.stdout.write(JSON.stringify({
      resolved: require.resolve(${JSON.stringify(specifier)}),
      exports: Object.keys(api).sort(),
      docker: loaded.filter((p) => /[\\\\/]node_modules[\\\\/]@cdktf[\\\\/]provider-docker[\\\\/]/.test(p)),
      cdktf: loaded.filter((p) => /[\\\\/]node_modules[\\\\/]cdktf[\\\\/]/.test(p)).length,
    }));
  `;
  const result = spawnSync(process.execPath, ['-e', program], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) {
    throw new Error(`node exited ${result.status}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as Loaded;
}

describe('the cdktf-immutable/docker entry point', () => {
  beforeAll(requireBuiltDist);

  test('cdktf-immutable loads cdktf but no file of @cdktf/provider-docker', () => {
    const loaded = load('cdktf-immutable');
    expect(loaded.resolved).toBe(join(ROOT, 'dist', 'lib', 'index.js'));
    expect(loaded.cdktf).toBeGreaterThan(0);
    expect(loaded.docker).toEqual([]);
    expect(loaded.exports).toEqual(expect.arrayContaining(['AmiPipeline', 'BlueGreenFleet', 'ImageSource']));
    expect(loaded.exports.filter((name) => /docker/i.test(name))).toEqual([]);
  });

  test('cdktf-immutable/docker names the Docker image pipeline and sources, and loads @cdktf/provider-docker', () => {
    const loaded = load('cdktf-immutable/docker');
    expect(loaded.resolved).toBe(join(ROOT, 'dist', 'lib', 'docker', 'index.js'));
    expect(loaded.exports).toEqual(['DockerImagePipeline', 'DockerImageSource', 'hashDockerContext']);
    expect(loaded.docker).not.toEqual([]);
  });

  test('without @cdktf/provider-docker installed, cdktf-immutable loads and the docker entry point names what is missing', () => {
    expect(load('cdktf-immutable', WITHOUT_DOCKER).exports).toContain('BlueGreenFleet');
    expect(() => load('cdktf-immutable/docker', WITHOUT_DOCKER)).toThrow(
      "Cannot find module '@cdktf/provider-docker/lib/image'",
    );
  });
});
