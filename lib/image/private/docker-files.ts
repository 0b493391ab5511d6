import { statSync } from 'fs';
import { isAbsolute, join, normalize, sep } from 'path';
import { InputError } from '../../private/validation';

/**
 * Checks a Dockerfile path relative to the context and returns it normalised with `/`
 * separators. Shared by hashDockerContext and DockerImagePipeline, which report the
 * InputError it throws as `dockerfile ("<value>") <message>` (see Validator.reportAs).
 */
export function dockerfileInContext(root: string, dockerfile: string): string {
  if (dockerfile === '' || isAbsolute(dockerfile)) {
    throw new InputError(
      'must be a path relative to the context folder, such as "Dockerfile" or "docker/app.Dockerfile".',
    );
  }
  const relative = normalize(dockerfile).split(sep).join('/');
  if (relative === '..' || relative.startsWith('../')) {
    throw new InputError('is outside the context folder; move it into the context so that it is part of the hash.');
  }
  const stat = statSync(join(root, relative), { throwIfNoEntry: false });
  if (!stat || !stat.isFile()) {
    throw new InputError(
      `${stat ? 'is not a file' : 'does not exist'} in the context folder ${root}; create it or set dockerfile to ` +
        `its path relative to the context.`,
    );
  }
  return relative.normalize('NFC');
}
