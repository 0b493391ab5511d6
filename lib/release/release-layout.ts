import { readdirSync, statSync } from 'fs';
import { dirname, join } from 'path';
import { REGION } from '../private/aws-ids';
import {
  ENVIRONMENT_PATTERN,
  ReleaseFileError,
  releaseFilePath,
  ReleaseTarget,
  VETO_FILE_ENVIRONMENT,
} from './release-file';

export type { ReleaseTarget };

/**
 * How a releases folder is laid out: `empty` (no release file yet), `one-fleet`
 * (`releases/<env>.json`) or `fleets` (`releases/<fleet>/<env>.json`, and for a fleet
 * released per region `releases/<fleet>/<region>/<env>.json`).
 */
export type ReleaseLayoutKind = 'empty' | 'one-fleet' | 'fleets';

/** A fleet of the per-fleet layout. */
export interface LayoutFleet {
  /** The fleet's name (its folder). */
  readonly name: string;
  /** The regions (folders), sorted, or undefined for a fleet in one region. */
  readonly regions?: readonly string[];
}

/** The file name of the shared list of vetoed images, at the top of the releases folder. */
export const VETO_FILE = `${VETO_FILE_ENVIRONMENT}.json`;

/**
 * The layout of a releases folder, read once: which layout it uses, its fleets, their
 * regions and environments, and the path of every release file. It is the one place that
 * decides where a release file lives; the release store and the command line resolve
 * every `--fleet` and `--region` through it.
 *
 * A folder holds one layout: release files at the top (`releases/<env>.json`, one fleet)
 * or fleet folders (`releases/<fleet>/`), never both, and a fleet's folder holds its
 * environments' files or region folders, never both. A mix is refused with the commands
 * that move the files; the command line never moves a file by itself.
 */
export class ReleaseLayout {
  /** Reads the layout of `root` (a missing folder is an empty layout). Throws a {@link ReleaseFileError} on a mix. */
  public static read(root: string): ReleaseLayout {
    const entries = listFolder(root);
    const topFiles = entries.files.filter(isEnvironmentFile).map(stripJson).sort();
    const fleets: LayoutFleet[] = [];
    const environments = new Map<string, string[]>();
    for (const name of entries.folders.filter((folder) => ENVIRONMENT_PATTERN.test(folder)).sort()) {
      const inner = listFolder(join(root, name));
      const files = inner.files.filter(isEnvironmentFile).map(stripJson).sort();
      const regionFolders = inner.folders.filter((folder) => REGION.test(folder)).sort();
      const regions = regionFolders.filter((region) =>
        listFolder(join(root, name, region)).files.some(isEnvironmentFile),
      );
      if (files.length === 0 && regions.length === 0) {
        continue; // not a fleet folder (yet): nothing in it is a release file
      }
      if (files.length > 0 && regions.length > 0) {
        throw new ReleaseFileError(
          `${join(root, name)} holds both environment files (${files.map((f) => `${f}.json`).join(', ')}) and ` +
            `region folders (${regions.join(', ')}); a fleet is released in one region (releases/${name}/<env>.json) ` +
            `or per region (releases/${name}/<region>/<env>.json), not both. Move each file into its region ` +
            `("git mv releases/${name}/${files[0]}.json releases/${name}/${regions[0]}/${files[0]}.json").`,
        );
      }
      if (regions.length > 0) {
        fleets.push({ name, regions });
        for (const region of regions) {
          const names = listFolder(join(root, name, region))
            .files.filter(isEnvironmentFile)
            .map(stripJson)
            .sort();
          environments.set(key(name, region), names);
        }
      } else {
        fleets.push({ name });
        environments.set(key(name, undefined), files);
      }
    }
    if (topFiles.length > 0 && fleets.length > 0) {
      throw new ReleaseFileError(
        `${root} mixes the one-fleet layout (${topFiles.map((f) => `${f}.json`).join(', ')}) with fleet folders ` +
          `(${fleets.map((f) => `${f.name}/`).join(', ')}); a repository uses one layout. Move the one-fleet files ` +
          `into the folder of their fleet ("mkdir ${join(root, '<fleet>')} && git mv ${join(root, topFiles[0])}.json ` +
          `${join(root, '<fleet>', topFiles[0])}.json", and add "fleet": "<fleet>" to each), then run the command ` +
          'again with --fleet <fleet>.',
      );
    }
    if (topFiles.length > 0) {
      environments.set(key(undefined, undefined), topFiles);
    }
    const kind: ReleaseLayoutKind = topFiles.length > 0 ? 'one-fleet' : fleets.length > 0 ? 'fleets' : 'empty';
    return new ReleaseLayout(root, kind, fleets, environments);
  }

  private constructor(
    /** The releases folder. */
    public readonly root: string,
    /** Which layout it uses. */
    public readonly kind: ReleaseLayoutKind,
    private readonly fleetList: readonly LayoutFleet[],
    private readonly environmentsOf: ReadonlyMap<string, readonly string[]>,
  ) {}

  /** The fleets of the per-fleet layout, sorted by name (none in the one-fleet layout). */
  public fleets(): readonly LayoutFleet[] {
    return this.fleetList;
  }

  /** The fleet named `name`, if the layout has it. */
  public fleet(name: string): LayoutFleet | undefined {
    return this.fleetList.find((fleet) => fleet.name === name);
  }

  /** The environments of a folder: the one-fleet layout's, a fleet's, or a fleet's region's. Sorted. */
  public environments(fleet?: string, region?: string): readonly string[] {
    return this.environmentsOf.get(key(fleet, region)) ?? [];
  }

  /** Every release file, sorted by fleet, environment, then region. */
  public targets(): ReleaseTarget[] {
    const out: ReleaseTarget[] = [];
    if (this.kind === 'one-fleet') {
      return this.environments().map((environment) => ({ environment }));
    }
    for (const fleet of this.fleetList) {
      if (fleet.regions === undefined) {
        out.push(...this.environments(fleet.name).map((environment) => ({ fleet: fleet.name, environment })));
        continue;
      }
      const byEnvironment: ReleaseTarget[] = [];
      for (const region of fleet.regions) {
        byEnvironment.push(
          ...this.environments(fleet.name, region).map((environment) => ({ fleet: fleet.name, environment, region })),
        );
      }
      byEnvironment.sort((a, b) => a.environment.localeCompare(b.environment) || a.region!.localeCompare(b.region!));
      out.push(...byEnvironment);
    }
    return out;
  }

  /** The folder that holds the files of a fleet (and region); the releases folder itself in the one-fleet layout. */
  public folderOf(scope: { readonly fleet?: string; readonly region?: string }): string {
    return dirname(releaseFilePath(this.root, { ...scope, environment: 'x' }));
  }

  /** The path of a release file. */
  public pathOf(target: ReleaseTarget): string {
    return releaseFilePath(this.root, target);
  }
}

/**
 * The command-line arguments that name a release file after its environment:
 * `prod`, `prod --fleet web`, `prod --fleet web --region eu-west-1`. Messages use it in
 * the commands they suggest.
 */
export function releaseArguments(target: {
  readonly environment: string;
  readonly fleet?: string;
  readonly region?: string;
}): string {
  const fleet = target.fleet === undefined ? '' : ` --fleet ${target.fleet}`;
  const region = target.region === undefined ? '' : ` --region ${target.region}`;
  return `${target.environment}${fleet}${region}`;
}

/** `prod`, `web/prod`, `web/prod (eu-west-1)`: a release file as messages name it. */
export function releaseLabel(target: {
  readonly environment: string;
  readonly fleet?: string;
  readonly region?: string;
}): string {
  const fleet = target.fleet === undefined ? '' : `${target.fleet}/`;
  const region = target.region === undefined ? '' : ` (${target.region})`;
  return `${fleet}${target.environment}${region}`;
}

function key(fleet: string | undefined, region: string | undefined): string {
  return `${fleet ?? ''}/${region ?? ''}`;
}

function isEnvironmentFile(name: string): boolean {
  return name.endsWith('.json') && name !== VETO_FILE && ENVIRONMENT_PATTERN.test(name.slice(0, -5));
}

function stripJson(name: string): string {
  return name.slice(0, -5);
}

/** The regular files and folders of `folder` (names starting with a dot are skipped); empty when it is missing. */
function listFolder(folder: string): { files: string[]; folders: string[] } {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return { files: [], folders: [] };
  }
  const files: string[] = [];
  const folders: string[] = [];
  for (const name of names) {
    if (name.startsWith('.')) {
      continue;
    }
    if (name.endsWith('.json')) {
      files.push(name);
      continue;
    }
    try {
      if (statSync(join(folder, name)).isDirectory()) {
        folders.push(name);
      }
    } catch {
      // a dangling link or an entry removed in between: not part of the layout
    }
  }
  return { files, folders };
}
