// The promotion rules of a release file's policy (freeze windows, what `stage --from`
// requires, the role the command line assumes) and the record of a forced freeze: their
// types, parsers and formats. Plain data: the checks that read release files are in
// promotion-rules.ts.
import { describe, isPlainObject } from './private/json-values';

/**
 * A window in which `release stage` and `release promote` are refused (a freeze): either
 * a one-off window (`from` and `to`, ISO 8601 times) or a weekly one (`weekly`). A
 * command inside a window needs `--force-freeze` with `--reason`, which the release file
 * records (`freezeOverride`).
 */
export interface FreezeWindow {
  /**
   * Start of a one-off window (ISO 8601, such as `2026-12-20T00:00:00Z`); with `to`.
   * @default - a weekly window
   */
  readonly from?: string;
  /**
   * End of a one-off window, exclusive (ISO 8601); with `from`.
   * @default - a weekly window
   */
  readonly to?: string;
  /**
   * A window that comes back every week, such as `{ from: 'Fri 16:00', to: 'Mon 08:00' }`.
   * @default - a one-off window
   */
  readonly weekly?: WeeklyWindow;
  /**
   * Why the window exists, shown in refusals.
   * @default - none
   */
  readonly reason?: string;
}

/** A weekly freeze window: from a day and time to a day and time, in a time zone. */
export interface WeeklyWindow {
  /** Day and time the window opens: `Fri 16:00` (days Mon to Sun, 24-hour time). */
  readonly from: string;
  /** Day and time it closes (exclusive): `Mon 08:00`. It may wrap over the end of the week. */
  readonly to: string;
  /**
   * An IANA time zone such as `Europe/Paris`.
   * @default 'UTC'
   */
  readonly timeZone?: string;
}

/**
 * What `release stage <env> --from <other>` requires of the image it takes from
 * `<other>` (`"policy": {"stageFrom": {...}}` of `<env>`'s file).
 */
export interface StageFromRule {
  /**
   * The image must have completed a stepped rollout in `<other>` (not aborted, not rolled
   * back) and still serve there.
   * @default false
   */
  readonly requireCompletedRollout?: boolean;
  /**
   * Seconds the image must have served all of `<other>`'s traffic (counted from the
   * promote or the rollout's last step, as the release file records it).
   * @default 0
   */
  readonly soakSeconds?: number;
}

/** The record of the last stage or promote forced through a freeze window (`--force-freeze`). */
export interface FreezeOverride {
  /** When (ISO 8601, UTC). */
  readonly at: string;
  /** `stage` or `promote`. */
  readonly command: 'stage' | 'promote';
  /** The window that was open, as `describeFreezeWindow` writes it. */
  readonly window: string;
  /** Why the freeze was overridden (`--reason`). */
  readonly reason: string;
}

/** What a parser calls to reject a field: `fail(problem, fix)` throws the release file's error. */
type Fail = (problem: string, fix: string) => never;

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const DAY_TIME = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([01]\d|2[0-3]):([0-5]\d)$/;
/** The longest soak: 30 days. */
export const MAX_SOAK_SECONDS = 30 * 86_400;
/** An IAM role ARN. */
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

const FREEZE_FIELDS = ['from', 'to', 'weekly', 'reason'];
const WEEKLY_FIELDS = ['from', 'to', 'timeZone'];
const STAGE_FROM_FIELDS = ['requireCompletedRollout', 'soakSeconds'];
const OVERRIDE_FIELDS = ['at', 'command', 'window', 'reason'];
const FREEZE_EXAMPLE =
  'such as {"from": "2026-12-20T00:00:00Z", "to": "2027-01-04T00:00:00Z", "reason": "year end"} or ' +
  '{"weekly": {"from": "Fri 16:00", "to": "Mon 08:00", "timeZone": "Europe/Paris"}}';

/** Validates `"policy.freeze"`. @internal */
export function parseFreezeWindows(data: unknown, fail: Fail): FreezeWindow[] {
  if (!Array.isArray(data)) {
    return fail(`"policy.freeze" is ${describe(data)}`, `use a list of windows, ${FREEZE_EXAMPLE}`);
  }
  return data.map((window, i) => parseFreezeWindow(window, `policy.freeze[${i}]`, fail));
}

function parseFreezeWindow(data: unknown, field: string, fail: Fail): FreezeWindow {
  if (!isPlainObject(data)) {
    return fail(`"${field}" is ${describe(data)}`, `use an object ${FREEZE_EXAMPLE}`);
  }
  unknownFields(data, FREEZE_FIELDS, field, fail);
  if (data.reason !== undefined && (typeof data.reason !== 'string' || data.reason.trim() === '')) {
    return fail(`"${field}.reason" is ${describe(data.reason)}`, 'use a sentence, or remove it');
  }
  const reason = data.reason === undefined ? {} : { reason: data.reason as string };
  if (data.weekly !== undefined) {
    if (data.from !== undefined || data.to !== undefined) {
      return fail(
        `"${field}" has both "weekly" and "from"/"to"`,
        'give a one-off window ("from" and "to") or a weekly one ("weekly"), one per entry',
      );
    }
    return { weekly: parseWeekly(data.weekly, `${field}.weekly`, fail), ...reason };
  }
  for (const key of ['from', 'to'] as const) {
    if (typeof data[key] !== 'string' || Number.isNaN(Date.parse(data[key] as string))) {
      return fail(
        `"${field}.${key}" is ${describe(data[key])}`,
        'use an ISO 8601 time such as 2026-12-20T00:00:00Z (or a "weekly" window)',
      );
    }
  }
  if (Date.parse(data.to as string) <= Date.parse(data.from as string)) {
    return fail(`"${field}.to" (${data.to}) is not after "${field}.from" (${data.from})`, 'swap or fix the times');
  }
  return { from: data.from as string, to: data.to as string, ...reason };
}

function parseWeekly(data: unknown, field: string, fail: Fail): WeeklyWindow {
  if (!isPlainObject(data)) {
    return fail(`"${field}" is ${describe(data)}`, 'use {"from": "Fri 16:00", "to": "Mon 08:00", "timeZone": "UTC"}');
  }
  unknownFields(data, WEEKLY_FIELDS, field, fail);
  for (const key of ['from', 'to'] as const) {
    if (typeof data[key] !== 'string' || !DAY_TIME.test(data[key] as string)) {
      return fail(
        `"${field}.${key}" is ${describe(data[key])}`,
        `use a day (${DAYS.join(', ')}) and a 24-hour time, such as "Fri 16:00"`,
      );
    }
  }
  if (data.from === data.to) {
    return fail(`"${field}" opens and closes at ${data.from}`, 'give two different times');
  }
  if (data.timeZone !== undefined && (typeof data.timeZone !== 'string' || !isTimeZone(data.timeZone))) {
    return fail(
      `"${field}.timeZone" is ${describe(data.timeZone)}`,
      'use an IANA time zone such as "Europe/Paris" or "UTC", or remove it (UTC)',
    );
  }
  return {
    from: data.from as string,
    to: data.to as string,
    ...(data.timeZone !== undefined ? { timeZone: data.timeZone as string } : {}),
  };
}

/** Validates `"policy.stageFrom"`. @internal */
export function parseStageFrom(data: unknown, fail: Fail): StageFromRule {
  const example = 'such as {"requireCompletedRollout": true, "soakSeconds": 86400}';
  if (!isPlainObject(data)) {
    return fail(`"policy.stageFrom" is ${describe(data)}`, `use an object ${example}`);
  }
  unknownFields(data, STAGE_FROM_FIELDS, 'policy.stageFrom', fail);
  const rule: { requireCompletedRollout?: boolean; soakSeconds?: number } = {};
  if (data.requireCompletedRollout !== undefined) {
    if (typeof data.requireCompletedRollout !== 'boolean') {
      return fail(
        `"policy.stageFrom.requireCompletedRollout" is ${describe(data.requireCompletedRollout)}`,
        'use true or false',
      );
    }
    rule.requireCompletedRollout = data.requireCompletedRollout;
  }
  if (data.soakSeconds !== undefined) {
    const soak = data.soakSeconds;
    if (typeof soak !== 'number' || !Number.isInteger(soak) || soak < 0 || soak > MAX_SOAK_SECONDS) {
      return fail(
        `"policy.stageFrom.soakSeconds" is ${describe(soak)}`,
        `use whole seconds from 0 to ${MAX_SOAK_SECONDS} (30 days), e.g. 86400 for a day`,
      );
    }
    rule.soakSeconds = soak;
  }
  return rule;
}

/** Validates `"policy.roleArn"`. @internal */
export function parseRoleArn(data: unknown, fail: Fail): string {
  if (typeof data !== 'string' || !ROLE_ARN.test(data)) {
    return fail(
      `"policy.roleArn" is ${describe(data)}`,
      'use an IAM role ARN such as "arn:aws:iam::123456789012:role/release", or remove it (the default credentials)',
    );
  }
  return data;
}

/** Validates `"freezeOverride"`. @internal */
export function parseFreezeOverride(data: unknown, fail: Fail): FreezeOverride {
  const fix = 'restore it from git, or remove it';
  if (!isPlainObject(data)) {
    return fail(`"freezeOverride" is ${describe(data)}`, fix);
  }
  unknownFields(data, OVERRIDE_FIELDS, 'freezeOverride', fail);
  if (typeof data.at !== 'string' || Number.isNaN(Date.parse(data.at))) {
    return fail(`"freezeOverride.at" is ${describe(data.at)}`, 'use an ISO 8601 time');
  }
  if (data.command !== 'stage' && data.command !== 'promote') {
    return fail(`"freezeOverride.command" is ${describe(data.command)}`, 'use "stage" or "promote"');
  }
  for (const key of ['window', 'reason'] as const) {
    if (typeof data[key] !== 'string' || (data[key] as string).trim() === '') {
      return fail(`"freezeOverride.${key}" is ${describe(data[key])}`, fix);
    }
  }
  return { at: data.at, command: data.command, window: data.window as string, reason: data.reason as string };
}

/** The freeze windows as written (stable key order). @internal */
export function formatFreezeWindows(windows: readonly FreezeWindow[]): Record<string, unknown>[] {
  return windows.map((window) => ({
    ...(window.from !== undefined ? { from: window.from, to: window.to } : {}),
    ...(window.weekly
      ? {
          weekly: {
            from: window.weekly.from,
            to: window.weekly.to,
            ...(window.weekly.timeZone !== undefined ? { timeZone: window.weekly.timeZone } : {}),
          },
        }
      : {}),
    ...(window.reason !== undefined ? { reason: window.reason } : {}),
  }));
}

/** The stage-from rule as written. @internal */
export function formatStageFrom(rule: StageFromRule): Record<string, unknown> {
  return {
    ...(rule.requireCompletedRollout !== undefined ? { requireCompletedRollout: rule.requireCompletedRollout } : {}),
    ...(rule.soakSeconds !== undefined ? { soakSeconds: rule.soakSeconds } : {}),
  };
}

/** The freeze override as written. @internal */
export function formatFreezeOverride(override: FreezeOverride): Record<string, unknown> {
  return { at: override.at, command: override.command, window: override.window, reason: override.reason };
}

/** The freeze window open at `now`, if any. */
export function openFreezeWindow(windows: readonly FreezeWindow[] | undefined, now: Date): FreezeWindow | undefined {
  return (windows ?? []).find((window) => isInside(window, now));
}

/** `2026-12-20T00:00:00Z..2027-01-04T00:00:00Z (year end)`, `weekly Fri 16:00..Mon 08:00 UTC (weekend)`. */
export function describeFreezeWindow(window: FreezeWindow): string {
  const reason = window.reason ? ` (${window.reason})` : '';
  if (window.weekly) {
    return `weekly ${window.weekly.from}..${window.weekly.to} ${window.weekly.timeZone ?? 'UTC'}${reason}`;
  }
  return `${window.from}..${window.to}${reason}`;
}

function isInside(window: FreezeWindow, now: Date): boolean {
  if (window.weekly) {
    const minute = minuteOfWeek(now, window.weekly.timeZone ?? 'UTC');
    const from = dayTimeMinute(window.weekly.from);
    const to = dayTimeMinute(window.weekly.to);
    return from < to ? minute >= from && minute < to : minute >= from || minute < to;
  }
  const time = now.getTime();
  return time >= Date.parse(window.from!) && time < Date.parse(window.to!);
}

/** Minutes since Monday 00:00 of `"Fri 16:00"`. */
function dayTimeMinute(text: string): number {
  const match = DAY_TIME.exec(text)!;
  return DAYS.indexOf(match[1]) * 1440 + Number(match[2]) * 60 + Number(match[3]);
}

/** Minutes since Monday 00:00 of `now` on the wall clock of `timeZone`. */
function minuteOfWeek(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return DAYS.indexOf(part('weekday')) * 1440 + (Number(part('hour')) % 24) * 60 + Number(part('minute'));
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function unknownFields(data: Record<string, unknown>, fields: readonly string[], where: string, fail: Fail): void {
  for (const key of Object.keys(data)) {
    if (!fields.includes(key)) {
      fail(`"${where}.${key}" is not a field of ${where}`, `remove it (fields: ${fields.join(', ')})`);
    }
  }
}
