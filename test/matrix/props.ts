/**
 * The public props of the library, read from the TypeScript source of lib/ (parsed
 * once, without type-checking: about 1 s): every member of every interface, and the
 * prop paths of a root interface with nested interfaces expanded
 * (`server.blockDevices[].volumeSizeGiB`). Not a test file.
 */
import { readFileSync } from 'fs';
import { sourceFiles } from '../support/source-files';
import { join, relative, resolve } from 'path';
import * as ts from 'typescript';

export const ROOT = resolve(__dirname, '..', '..');

/** One member of an interface as written. */
export interface Member {
  readonly name: string;
  /** The interface that declares it (not the one that inherits it). */
  readonly declaredIn: string;
  readonly type: ts.TypeNode | undefined;
  /** The type as written (`readonly BlockDevice[]`). */
  readonly typeText: string;
}

export interface InterfaceInfo {
  readonly name: string;
  readonly file: string;
  readonly exported: boolean;
  readonly own: readonly Member[];
  readonly extends: readonly string[];
  /** True when it declares methods: a behaviour interface (`IImageSource`), a leaf. */
  readonly hasMethods: boolean;
}

/** Every interface declared in lib/, by name. */
export function readInterfaces(): Map<string, InterfaceInfo> {
  const out = new Map<string, InterfaceInfo>();
  for (const file of sourceFiles(join(ROOT, 'lib'))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
    for (const statement of source.statements) {
      if (!ts.isInterfaceDeclaration(statement)) {
        continue;
      }
      const name = statement.name.text;
      const own: Member[] = [];
      let hasMethods = false;
      for (const member of statement.members) {
        if (ts.isMethodSignature(member)) {
          hasMethods = true;
        } else if (
          ts.isPropertySignature(member) &&
          member.name &&
          (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name))
        ) {
          own.push({
            name: member.name.text,
            declaredIn: name,
            type: member.type,
            typeText: member.type?.getText(source) ?? '',
          });
        }
      }
      const bases = (statement.heritageClauses ?? []).flatMap((clause) =>
        clause.types.map((t) => t.expression.getText(source)),
      );
      out.set(name, {
        name,
        file: relative(ROOT, file),
        exported: (ts.getCombinedModifierFlags(statement) & ts.ModifierFlags.Export) !== 0,
        own,
        extends: bases,
        hasMethods,
      });
    }
  }
  return out;
}

/** Own and inherited members, base interfaces first (as TypeScript resolves them). */
export function membersOf(interfaces: Map<string, InterfaceInfo>, name: string): Member[] {
  const info = interfaces.get(name);
  if (!info) {
    return [];
  }
  const inherited = info.extends.flatMap((base) => membersOf(interfaces, base));
  const own = new Set(info.own.map((m) => m.name));
  return [...inherited.filter((m) => !own.has(m.name)), ...info.own];
}

/** The lib interface a type refers to, through arrays, `readonly` and unions with undefined. */
function nestedInterface(
  interfaces: Map<string, InterfaceInfo>,
  type: ts.TypeNode | undefined,
): { name: string; array: boolean } | undefined {
  if (!type) {
    return undefined;
  }
  if (ts.isTypeOperatorNode(type)) {
    return nestedInterface(interfaces, type.type);
  }
  if (ts.isArrayTypeNode(type)) {
    const inner = nestedInterface(interfaces, type.elementType);
    return inner && { name: inner.name, array: true };
  }
  if (ts.isUnionTypeNode(type)) {
    const found = type.types.map((t) => nestedInterface(interfaces, t)).filter((x) => x !== undefined);
    return found.length === 1 ? found[0] : undefined;
  }
  if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
    const info = interfaces.get(type.typeName.text);
    // behaviour interfaces (`IImageSource`, `IInstanceProfile`) are leaves: a value of one is one prop
    return info && !info.hasMethods && !/^I[A-Z]/.test(info.name) ? { name: info.name, array: false } : undefined;
  }
  return undefined;
}

/** A prop path of a root interface, and the interface member at its end. */
export interface PropPath {
  /** e.g. `slots.blue.blockDevices[].volumeSizeGiB`. */
  readonly path: string;
  /** `<declaring interface>.<member>`, e.g. `BlockDevice.volumeSizeGiB`. */
  readonly member: string;
}

/**
 * Every leaf prop path of `root`: members whose type is another lib interface (without
 * methods) are expanded, the rest are leaves. `stop` lists interfaces that are not
 * expanded (their members are covered by their own root).
 */
export function propPaths(
  interfaces: Map<string, InterfaceInfo>,
  root: string,
  stop: ReadonlySet<string> = new Set(),
  prefix = '',
  seen: readonly string[] = [],
): PropPath[] {
  if (seen.includes(root)) {
    throw new Error(`recursive props: ${[...seen, root].join(' -> ')}`);
  }
  return membersOf(interfaces, root).flatMap((member) => {
    const path = `${prefix}${member.name}`;
    const nested = nestedInterface(interfaces, member.type);
    if (nested && !stop.has(nested.name)) {
      return propPaths(interfaces, nested.name, stop, `${path}${nested.array ? '[]' : ''}.`, [...seen, root]);
    }
    return [{ path, member: `${member.declaredIn}.${member.name}` }];
  });
}
