import { sep } from 'path';

const NODE_MODULES = `${sep}node_modules${sep}`;

/**
 * Makes the stack traces cdktf captures cheap to format in jest.
 *
 * cdktf records where every token, reference and annotation was created: it captures a
 * stack trace of unlimited depth on a plain object (`Error.captureStackTrace({ stack: '' })`)
 * and reads it at once. In a jest test, `Error.prepareStackTrace` is the source-map-support
 * that jest installs, which maps every frame, including the dozens in cdktf and the provider
 * (whose files carry large inline source maps). Profiled on test/deploy/blue-green-change:
 * 2.3 s of about 7 s CPU went there.
 *
 * Errors (anything whose [[Class]] is Error, from any realm) keep jest's full source-mapped
 * formatting, so failure messages are unchanged. Captures on plain objects map only the
 * frames in this project's TypeScript (through jest's formatter, one frame at a time) and
 * format the others as plain node does. The same idea as register/index.js, the
 * runner of cdktf.json.
 */
export function installCheapCaptureTraces(): void {
  const formatMapped = Error.prepareStackTrace;
  if (formatMapped === undefined || (formatMapped as { cheapCaptures?: boolean }).cheapCaptures) {
    return;
  }
  const mappedFrames = new Map<string, string>(); // frame as run -> as written
  const prepare = (error: unknown, frames: NodeJS.CallSite[]): unknown => {
    if (Object.prototype.toString.call(error) === '[object Error]') {
      return formatMapped(error as Error, frames);
    }
    let text = (error as { name?: string } | null)?.name || 'Error';
    for (const frame of frames) {
      let line = String(frame);
      const file = frame.getFileName();
      if (file !== null && file !== undefined && file.endsWith('.ts') && !file.includes(NODE_MODULES)) {
        let mapped = mappedFrames.get(line);
        if (mapped === undefined) {
          // jest's formatter gives "<name>: <message>\n    at <frame as written>"
          const formatted = String(formatMapped(new Error(), [frame]));
          const at = formatted.indexOf('\n    at ');
          mapped = at < 0 ? line : formatted.slice(at + '\n    at '.length);
          mappedFrames.set(line, mapped);
        }
        line = mapped;
      }
      text += `\n    at ${line}`;
    }
    return text;
  };
  Error.prepareStackTrace = Object.assign(prepare, { cheapCaptures: true });
}
