#!/usr/bin/env node
// Writes API.md, the API reference, from the TSDoc of the package's public entry points
// (lib/index.ts, lib/release/index.ts, lib/review/index.ts, lib/docker/index.ts,
// lib/names/index.ts):
// typedoc (a dev dependency) reads them as a consumer sees them (@internal, private and
// protected members left out) into its JSON model, which this script renders as one
// compact markdown file (typedoc's own output is HTML).
//
//   npm run docs:api              regenerate API.md
//   npm run docs:api -- --check   exit 1 when API.md is not what the TSDoc gives (CI runs this)
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const target = path.join(root, 'API.md');

/** Entry point file -> import path, in the order API.md lists them. */
const ENTRY_POINTS = [
  ['lib/index.ts', 'cdktf-immutable'],
  ['lib/release/index.ts', 'cdktf-immutable/release'],
  ['lib/review/index.ts', 'cdktf-immutable/review'],
  ['lib/docker/index.ts', 'cdktf-immutable/docker'],
  ['lib/names/index.ts', 'cdktf-immutable/names'],
];

const Kind = {
  Module: 2,
  Enum: 8,
  EnumMember: 16,
  Variable: 32,
  Function: 64,
  Class: 128,
  Interface: 256,
  Constructor: 512,
  Property: 1024,
  Method: 2048,
  Accessor: 262144,
  TypeAlias: 2097152,
  Reference: 4194304,
};
const SECTIONS = [
  [Kind.Class, 'Classes'],
  [Kind.Function, 'Functions'],
  [Kind.Variable, 'Constants'],
  [Kind.Enum, 'Enums'],
  [Kind.Interface, 'Interfaces'],
  [Kind.TypeAlias, 'Types'],
];

async function model() {
  const td = await import('typedoc'); // an ES module
  const app = await td.Application.bootstrap({
    entryPoints: ENTRY_POINTS.map(([file]) => path.join(root, file)),
    tsconfig: path.join(root, 'tsconfig.build.json'),
    excludeInternal: true,
    excludePrivate: true,
    excludeProtected: true,
    excludeExternals: true,
    skipErrorChecking: true, // `npm run typecheck` checks the types
    readme: 'none',
    logLevel: 'Error',
    basePath: root,
  });
  const project = await app.convert();
  if (!project) {
    throw new Error('typedoc could not read the entry points; run `npm run typecheck` for the errors.');
  }
  return app.serializer.projectToObject(project, root);
}

/** TSDoc comment parts as markdown: text as is, code as is, {@link X} as `X`. */
function parts(list) {
  return (list ?? [])
    .map((p) => (p.kind === 'inline-tag' ? `\`${p.text}\`` : p.text))
    .join('')
    .trim();
}

function summary(comment) {
  return parts(comment?.summary);
}

/** One line for a table cell: paragraphs joined, pipes escaped. */
function cell(text) {
  return text
    .replace(/\r?\n\s*\n/g, '<br>')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

function tag(comment, name) {
  const found = (comment?.blockTags ?? []).find((t) => t.tag === name);
  if (!found) {
    return undefined;
  }
  // a @default written as code keeps its backticks; "- a sentence" loses the dash
  return parts(found.content)
    .replace(/^```\w*\n?([\s\S]*?)\n?```$/, '`$1`')
    .replace(/^-\s+/, '');
}

/** A type as TypeScript would write it. */
function type(t) {
  if (!t) {
    return 'unknown';
  }
  switch (t.type) {
    case 'intrinsic':
      return t.name;
    case 'literal':
      return t.value === null
        ? 'null'
        : typeof t.value === 'object'
          ? `${t.value.negative ? '-' : ''}${t.value.value}n`
          : JSON.stringify(t.value);
    case 'reference':
      return `${t.name}${t.typeArguments?.length ? `<${t.typeArguments.map(type).join(', ')}>` : ''}`;
    case 'array':
      return `${wrap(t.elementType)}[]`;
    case 'union':
      return t.types.map(type).join(' | ');
    case 'intersection':
      return t.types.map(wrap).join(' & ');
    case 'tuple':
      return `[${(t.elements ?? []).map(type).join(', ')}]`;
    case 'namedTupleMember':
      return `${t.name}${t.isOptional ? '?' : ''}: ${type(t.element)}`;
    case 'optional':
      return `${type(t.elementType)}?`;
    case 'rest':
      return `...${type(t.elementType)}`;
    case 'typeOperator':
      return `${t.operator} ${wrap(t.target)}`;
    case 'indexedAccess':
      return `${wrap(t.objectType)}[${type(t.indexType)}]`;
    case 'query':
      return `typeof ${type(t.queryType)}`;
    case 'predicate':
      return `${t.asserts ? 'asserts ' : ''}${t.name}${t.targetType ? ` is ${type(t.targetType)}` : ''}`;
    case 'conditional':
      return `${type(t.checkType)} extends ${type(t.extendsType)} ? ${type(t.trueType)} : ${type(t.falseType)}`;
    case 'templateLiteral':
      return `\`${t.head}${t.tail.map(([u, s]) => `\${${type(u)}}${s}`).join('')}\``;
    case 'mapped':
      return `{ ${t.readonlyModifier === '+' ? 'readonly ' : ''}[${t.parameter} in ${type(t.parameterType)}]${t.optionalModifier === '+' ? '?' : ''}: ${type(t.templateType)} }`;
    case 'reflection':
      return reflectionType(t.declaration);
    case 'inferred':
      return `infer ${t.name}`;
    default:
      return t.name ?? 'unknown';
  }
}

function wrap(t) {
  const text = type(t);
  return ['union', 'intersection', 'conditional', 'reflection'].includes(t?.type) && !text.startsWith('{')
    ? `(${text})`
    : text;
}

/** An inline object type or function type. */
function reflectionType(d) {
  if (d.signatures?.length) {
    return d.signatures.map((s) => `(${params(s)}) => ${type(s.type)}`).join(' & ');
  }
  const members = (d.children ?? []).map(
    (c) => `${c.flags?.isReadonly ? 'readonly ' : ''}${c.name}${c.flags?.isOptional ? '?' : ''}: ${type(c.type)}`,
  );
  const index = (d.indexSignatures ?? []).map(
    (s) =>
      `${s.flags?.isReadonly ? 'readonly ' : ''}[${s.parameters.map((p) => `${p.name}: ${type(p.type)}`).join(', ')}]: ${type(s.type)}`,
  );
  const all = [...index, ...members];
  return all.length ? `{ ${all.join('; ')} }` : '{}';
}

function params(signature) {
  return (signature.parameters ?? [])
    .map(
      (p) =>
        `${p.flags?.isRest ? '...' : ''}${p.name}${p.flags?.isOptional || p.defaultValue !== undefined ? '?' : ''}: ${type(p.type)}`,
    )
    .join(', ');
}

function typeParams(d) {
  return d.typeParameters?.length
    ? `<${d.typeParameters.map((p) => `${p.name}${p.type ? ` extends ${type(p.type)}` : ''}`).join(', ')}>`
    : '';
}

function source(d) {
  const file = d.sources?.[0]?.fileName;
  return file ? file.replace(/^.*?(?=(lib|bin)\/)/, '') : undefined;
}

/** Markdown of one signature: code line, summary, parameters, returns. */
function signature(prefix, s, lines) {
  lines.push(`\`${prefix}${typeParams(s)}(${params(s)}): ${type(s.type)}\``, '');
  const text = summary(s.comment);
  if (text) {
    lines.push(text, '');
  }
  const documented = (s.parameters ?? []).filter((p) => summary(p.comment));
  for (const p of documented) {
    lines.push(`- \`${p.name}\`: ${cell(summary(p.comment))}`);
  }
  const returns = tag(s.comment, '@returns');
  if (returns) {
    lines.push(`- returns: ${cell(returns)}`);
  }
  if (documented.length || returns) {
    lines.push('');
  }
}

function deprecated(comment) {
  const text = tag(comment, '@deprecated');
  return text === undefined ? '' : ` **Deprecated**${text ? `: ${cell(text)}` : ''}.`;
}

/** A table of properties: name, type, default (for props interfaces), description. */
function propertyTable(props, withDefault, lines) {
  if (props.length === 0) {
    return;
  }
  lines.push(withDefault ? '| Property | Type | Default | Description |' : '| Property | Type | Description |');
  lines.push(withDefault ? '|---|---|---|---|' : '|---|---|---|');
  for (const p of props) {
    const getter = p.getSignature;
    const t = cell(`\`${type(getter ? getter.type : p.type)}\``);
    const name = `\`${p.flags?.isStatic ? 'static ' : ''}${p.name}${p.flags?.isOptional ? '?' : ''}\`${p.flags?.isReadonly || (getter && !p.setSignature) ? ' (readonly)' : ''}`;
    const text = cell(`${summary(p.comment ?? getter?.comment)}${deprecated(p.comment)}`);
    if (withDefault) {
      const dflt = tag(p.comment, '@default');
      lines.push(
        `| ${name} | ${t} | ${dflt === undefined ? (p.flags?.isOptional ? '' : 'required') : cell(dflt)} | ${text} |`,
      );
    } else {
      lines.push(`| ${name} | ${t} | ${text} |`);
    }
  }
  lines.push('');
}

function byName(a, b) {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Own (not inherited), public members. */
function own(d, kinds) {
  return (d.children ?? [])
    .filter((c) => kinds.includes(c.kind) && !c.inheritedFrom && !c.flags?.isExternal)
    .sort(byName);
}

function declaration(d, lines) {
  lines.push(`### ${d.name}`, '');
  const file = source(d);
  const text = summary(d.comment ?? d.signatures?.[0]?.comment);
  const heritage = [
    d.extendedTypes?.length ? `extends ${d.extendedTypes.map(type).join(', ')}` : '',
    d.implementedTypes?.length ? `implements ${d.implementedTypes.map(type).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  lines.push(
    `${{ [Kind.Class]: d.flags?.isAbstract ? 'abstract class' : 'class', [Kind.Interface]: 'interface', [Kind.Function]: 'function', [Kind.Variable]: 'const', [Kind.TypeAlias]: 'type', [Kind.Enum]: 'enum' }[d.kind]}` +
      `${heritage ? ` (${heritage})` : ''}${file ? `, in \`${file}\`` : ''}.${deprecated(d.comment)}`,
    '',
  );
  switch (d.kind) {
    case Kind.Function:
      for (const s of d.signatures ?? []) {
        signature(d.name, s, lines);
      }
      return;
    case Kind.Variable:
      lines.push(`\`${d.name}: ${type(d.type)}\``, '');
      break;
    case Kind.TypeAlias:
      lines.push(`\`type ${d.name}${typeParams(d)} = ${type(d.type)}\``, '');
      break;
    case Kind.Enum:
      if (text) {
        lines.push(text, '');
      }
      for (const m of own(d, [Kind.EnumMember])) {
        lines.push(`- \`${m.name} = ${type(m.type)}\`${summary(m.comment) ? `: ${cell(summary(m.comment))}` : ''}`);
      }
      lines.push('');
      return;
    default:
      break;
  }
  if (text) {
    lines.push(text, '');
  }
  if (d.kind === Kind.Class) {
    const ctor = own(d, [Kind.Constructor])[0];
    const ctorSignatures = (ctor?.signatures ?? []).filter(() => !ctor.flags?.isPrivate && !ctor.flags?.isProtected);
    for (const s of ctorSignatures) {
      lines.push(`\`new ${d.name}(${params(s)})\``, '');
      const ctorText = summary(s.comment);
      if (ctorText && ctorText !== text) {
        lines.push(ctorText, '');
      }
    }
    const members = own(d, [Kind.Property, Kind.Accessor]);
    const statics = members.filter((m) => m.flags?.isStatic);
    propertyTable([...statics, ...members.filter((m) => !m.flags?.isStatic)], false, lines);
    for (const m of own(d, [Kind.Method])) {
      for (const s of m.signatures ?? []) {
        lines.push(`#### ${m.flags?.isStatic ? `${d.name}.` : ''}${m.name}()`, '');
        signature(`${m.flags?.isStatic ? `${d.name}.` : ''}${m.name}`, s, lines);
      }
    }
  } else if (d.kind === Kind.Interface) {
    propertyTable(own(d, [Kind.Property, Kind.Accessor]), true, lines);
    for (const m of own(d, [Kind.Method])) {
      for (const s of m.signatures ?? []) {
        signature(m.name, s, lines);
      }
    }
  }
}

function render(json) {
  const modules = new Map((json.children ?? []).map((m) => [m.name, m]));
  // typedoc names each entry point's module by its folder relative to basePath (`lib`, `lib/release`)
  const moduleOf = (file) => modules.get(path.dirname(file));
  // lib/index.ts also re-exports release and review: each name is described once, under its subpath
  const declarations = new Map((json.children ?? []).flatMap((m) => (m.children ?? []).map((c) => [c.id, c])));
  const elsewhere = new Set(
    ENTRY_POINTS.slice(1).flatMap(([file]) => (moduleOf(file)?.children ?? []).map((c) => c.name)),
  );
  const lines = [
    '# API reference',
    '',
    '<!-- Generated by `npm run docs:api` (scripts/api-docs.js, typedoc) from the TSDoc of the entry points. Do not edit. -->',
    '',
    'Generated from the TSDoc of the public entry points by `npm run docs:api`; the README\'s "## API" section groups the',
    'same names by room. Names marked `@internal` in the source, and private and protected members, are not part of the API.',
    '',
  ];
  const toc = [];
  const body = [];
  for (const [file, importPath] of ENTRY_POINTS) {
    const mod = moduleOf(file);
    if (!mod) {
      throw new Error(`typedoc gave no module for ${file}; check ENTRY_POINTS in scripts/api-docs.js.`);
    }
    // a subpath's names are references to the declarations typedoc put under lib/index.ts
    const children = (mod.children ?? [])
      .map((c) => (c.kind === Kind.Reference ? { ...declarations.get(c.target), name: c.name } : c))
      .filter((c) => c.kind !== undefined && !(file === 'lib/index.ts' && elsewhere.has(c.name)));
    toc.push(`- [\`${importPath}\`](#${importPath.replace(/[^a-z0-9-]/g, '')}) (\`${file}\`)`);
    body.push(`## ${importPath}`, '');
    if (file === 'lib/index.ts') {
      body.push(
        'Also every name of `cdktf-immutable/release` and `cdktf-immutable/review` (below). The Docker names are only in `cdktf-immutable/docker`.',
        '',
      );
    }
    for (const [kind, title] of SECTIONS) {
      const items = children.filter((c) => c.kind === kind).sort(byName);
      if (items.length === 0) {
        continue;
      }
      body.push(`**${title}** of \`${importPath}\`: ${items.map((i) => `\`${i.name}\``).join(', ')}.`, '');
      for (const item of items) {
        declaration(item, body);
      }
    }
  }
  return `${[...lines, ...toc, '', ...body]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

async function main() {
  const check = process.argv.includes('--check');
  const text = render(await model());
  if (check) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (current !== text) {
      const a = current.split('\n');
      const b = text.split('\n');
      let i = 0;
      while (i < a.length && i < b.length && a[i] === b[i]) {
        i++;
      }
      console.error(
        `API.md is not current with the TSDoc of the entry points: line ${i + 1} is\n  ${a[i] ?? '(end of file)'}\nbut the source gives\n  ${b[i] ?? '(end of file)'}\n` +
          'Run `npm run docs:api` and commit API.md.',
      );
      process.exit(1);
    }
    console.log('API.md is current.');
    return;
  }
  const temp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, target);
  console.log(`wrote API.md (${text.split('\n').length} lines)`);
}

main().catch((error) => {
  console.error(error.stack ?? String(error));
  process.exit(2);
});
