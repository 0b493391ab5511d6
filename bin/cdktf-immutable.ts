#!/usr/bin/env node
import { main } from './cli/main';

// A reader that stops early (`cdktf-immutable release status | head -1`) closes the pipe:
// end quietly with the command's own exit code instead of an unhandled EPIPE error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      process.exit();
    }
    throw error;
  });
}

const code = main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
if (typeof code === 'number') {
  process.exitCode = code;
} else {
  void code.then((exit) => { process.exitCode = exit; });
}
