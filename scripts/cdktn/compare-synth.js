#!/usr/bin/env node
// node scripts/cdktn/compare-synth.js <cdktf synth output> <cdktn synth output>
// Checks that the two synth outputs (cdktf.out folders with manifest.json) of the same
// app hold the same stacks, the same resources, data sources, outputs, locals and
// variables at the same addresses, with the same bodies: what makes the move from
// cdktf-immutable to cdktn-immutable an empty plan. Prints what else differs (the
// provider version constraints, cdktf's metadata), which moves no resource.
'use strict';
const fs = require('fs');
const path = require('path');
const { isDeepStrictEqual } = require('util');

function stacks(dir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  return new Map(
    Object.entries(manifest.stacks).map(([name, stack]) => [
      name,
      JSON.parse(fs.readFileSync(path.join(dir, stack.synthesizedStackPath), 'utf8')),
    ]),
  );
}

/**
 * A body without the `error_message` of its pre- and postconditions: the messages name
 * the tool (`cdktf deploy` / `cdktn deploy`), and Terraform plans nothing for them (a
 * condition is checked, never stored), so they do not move a resource. The conditions
 * themselves are compared.
 */
function withoutConditionMessages(body) {
  const lifecycle = body.lifecycle;
  const strip = (conditions) =>
    Array.isArray(conditions) ? conditions.map(({ error_message: _message, ...rest }) => rest) : conditions;
  const out = { ...body };
  if (lifecycle && typeof lifecycle === 'object') {
    out.lifecycle = { ...lifecycle };
    for (const key of ['precondition', 'postcondition']) {
      if (key in lifecycle) out.lifecycle[key] = strip(lifecycle[key]);
    }
  }
  if ('precondition' in body) out.precondition = strip(body.precondition);
  return out;
}

/** address -> body for the blocks that Terraform plans: resource, data, output, locals, variable. */
function addresses(json) {
  const out = new Map();
  for (const kind of ['resource', 'data']) {
    for (const [type, byName] of Object.entries(json[kind] ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        const { '//': _metadata, ...rest } = body;
        out.set(`${kind === 'data' ? 'data.' : ''}${type}.${name}`, withoutConditionMessages(rest));
      }
    }
  }
  for (const kind of ['output', 'locals', 'variable']) {
    for (const [name, body] of Object.entries(json[kind] ?? {})) {
      out.set(`${kind}.${name}`, kind === 'output' ? withoutConditionMessages(body) : body);
    }
  }
  return out;
}

const [before, after] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: compare-synth.js <cdktf synth output> <cdktn synth output>');
  process.exit(2);
}
const a = stacks(before);
const b = stacks(after);
const problems = [];
if (!isDeepStrictEqual([...a.keys()].sort(), [...b.keys()].sort())) {
  problems.push(`stacks differ: ${[...a.keys()]} vs ${[...b.keys()]}`);
}
let compared = 0;
for (const [stack, json] of a) {
  const other = b.get(stack);
  if (!other) {
    continue;
  }
  const left = addresses(json);
  const right = addresses(other);
  for (const address of new Set([...left.keys(), ...right.keys()])) {
    if (!left.has(address) || !right.has(address)) {
      problems.push(`${stack}: ${address} is only in the ${left.has(address) ? 'cdktf' : 'cdktn'} output`);
    } else if (!isDeepStrictEqual(left.get(address), right.get(address))) {
      problems.push(
        `${stack}: ${address} differs:\n    cdktf ${JSON.stringify(left.get(address))}\n    cdktn ${JSON.stringify(right.get(address))}`,
      );
    } else {
      compared += 1;
    }
  }
  const providers = (j) => JSON.stringify(j.terraform?.required_providers ?? {});
  if (providers(json) !== providers(other)) {
    console.log(`${stack}: required_providers ${providers(json)} -> ${providers(other)}`);
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`${compared} blocks at the same addresses with the same bodies in ${a.size} stack(s)`);
