import { describe, isPlainObject } from './private/json-values';
import { otherSlot, ReleaseFile, SlotName } from './release-file';
import { FLEET_NAME, Rollout } from './rollout';
import { rollbackRelease } from './transitions';

/**
 * The record the fleet's canary watchdog leaves when it restores the stable weights: one
 * SSM parameter per fleet ({@link watchdogRecordParameter}), JSON, written by the
 * function (`restoring` before it changes the listener, `restored` after) and read by
 * `release advance`, `release status` and `release run`, which write the abort into the
 * release file, so that the next deploy plans no listener change and the rollback is a
 * commit like any other.
 */

/** Where the watchdog stands: `none` (the value Terraform creates), `restoring`, `restored`. */
export type WatchdogRecordStatus = 'none' | 'restoring' | 'restored';

/** The watchdog's record, as the release commands read it (the fields they use). */
export interface WatchdogRecord {
  /** `none` until the watchdog acts; `restoring` while (or when it failed after) it started; `restored` once done. */
  readonly status: WatchdogRecordStatus;
  /**
   * The fleet's name.
   * @default - not recorded
   */
  readonly fleet?: string;
  /**
   * The alarm that went to ALARM.
   * @default - none (status none)
   */
  readonly alarm?: string;
  /**
   * The canary slot whose weight it moved to the stable slot.
   * @default - none (status none)
   */
  readonly slot?: SlotName;
  /**
   * The alarm's state reason.
   * @default ''
   */
  readonly reason?: string;
  /**
   * When the alarm changed state (ISO 8601).
   * @default - unknown
   */
  readonly stateChangedAt?: string;
  /**
   * When the weights were restored (ISO 8601); absent while `restoring`.
   * @default - not restored
   */
  readonly restoredAt?: string;
  /**
   * The weights the listener served before, per slot.
   * @default - unknown
   */
  readonly weightsBefore?: Readonly<Record<SlotName, number>>;
}

/** The value Terraform gives the record parameter when it creates it: no abort yet. */
export const EMPTY_WATCHDOG_RECORD = '{"version":1,"status":"none"}';

/**
 * The SSM parameter of a fleet's watchdog record: `/cdktf-immutable/watchdog/<fleet>`.
 * The fleet's construct creates it, the function writes it, the command line reads it.
 */
export function watchdogRecordParameter(fleet: string): string {
  return `/cdktf-immutable/watchdog/${fleet}`;
}

/**
 * Reads a record from the parameter's value. A value that is not a record the
 * commands can use (not JSON, another version, a bad field) is reported as `problem`,
 * never guessed at.
 */
export function parseWatchdogRecord(text: string): { record?: WatchdogRecord; problem?: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { problem: 'the value is not JSON' };
  }
  if (!isPlainObject(data) || data.version !== 1) {
    return { problem: `the value is ${describe(data)}, not a version 1 record` };
  }
  const status = data.status;
  if (status !== 'none' && status !== 'restoring' && status !== 'restored') {
    return { problem: `"status" is ${describe(status)}` };
  }
  if (status === 'none') {
    return { record: { status } };
  }
  const text2 = (key: string): string | undefined =>
    typeof data[key] === 'string' ? (data[key] as string) : undefined;
  const slot = data.slot;
  if (slot !== 'blue' && slot !== 'green') {
    return { problem: `"slot" is ${describe(slot)}` };
  }
  const alarm = text2('alarm');
  if (alarm === undefined) {
    return { problem: `"alarm" is ${describe(data.alarm)}` };
  }
  const times: Record<string, string> = {};
  for (const key of ['stateChangedAt', 'restoredAt']) {
    const value = data[key];
    if (value !== undefined && value !== null) {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        return { problem: `"${key}" is ${describe(value)}` };
      }
      times[key] = value;
    }
  }
  if (status === 'restored' && times.restoredAt === undefined) {
    return { problem: '"restoredAt" is missing from a restored record' };
  }
  const before = data.weightsBefore;
  const weightsBefore =
    isPlainObject(before) && typeof before.blue === 'number' && typeof before.green === 'number'
      ? { blue: before.blue, green: before.green }
      : undefined;
  const fleet = text2('fleet');
  return {
    record: {
      status,
      ...(fleet !== undefined && FLEET_NAME.test(fleet) ? { fleet } : {}),
      alarm,
      slot,
      reason: text2('reason') ?? '',
      ...times,
      ...(weightsBefore ? { weightsBefore } : {}),
    },
  };
}

/** What a watchdog record means for a release file. */
export type WatchdogVerdict =
  /** Nothing to write: no abort, or one that belongs to an earlier canary. */
  | { readonly applies: false; readonly why: string }
  /**
   * The watchdog aborted the file's canary: `release` records it (the rollout aborted
   * `by: "watchdog"`, or a plain canary ended and its slot marked rolled back).
   * `restored` is false when the record is still `restoring`: the function failed after
   * it started, and the load balancer may still send the canary its share, so the
   * abort must be deployed.
   */
  | {
      readonly applies: true;
      readonly release: ReleaseFile;
      readonly restored: boolean;
      readonly alarm: string;
      readonly reason: string;
      readonly message: string;
    };

/**
 * Whether a watchdog record aborts the release file's canary, and the file that records
 * it (pure). It applies when the file sends the canary slot traffic (a running rollout,
 * or a plain canary), the record names that slot (and the rollout's fleet, when it names
 * one) and the alarm changed state after the canary started (the rollout's `startedAt`,
 * or the slot's `stagedAt` for a plain canary): an older record is an earlier canary's.
 * The abort is written as `release advance` writes one (`by: "watchdog"`, the alarm and
 * its reason, the time it was restored), with `servedAt` null: the command that wrote it
 * confirms, from the load balancer, that the stable weights are served.
 */
export function applyWatchdogRecord(
  release: ReleaseFile,
  record: WatchdogRecord | undefined,
  now: Date,
): WatchdogVerdict {
  if (record === undefined || record.status === 'none') {
    return { applies: false, why: 'no watchdog abort recorded' };
  }
  const canary = otherSlot(release.active);
  const rollout = release.rollout?.status === 'running' ? release.rollout : undefined;
  if (release.canary === 0) {
    return { applies: false, why: 'the release file sends the canary no traffic' };
  }
  if (record.slot !== canary) {
    return { applies: false, why: `the record is about slot ${record.slot}, not the canary slot ${canary}` };
  }
  if (rollout && record.fleet !== undefined && record.fleet !== rollout.fleet) {
    return { applies: false, why: `the record is fleet ${record.fleet}'s, not ${rollout.fleet}'s` };
  }
  const started = rollout ? rollout.startedAt : release.slots[canary].stagedAt;
  const changed = record.stateChangedAt ?? record.restoredAt;
  if (!started || !changed || Date.parse(changed) < Date.parse(started)) {
    return {
      applies: false,
      why: `the record (${changed ?? 'no time'}) is older than the canary (${started ?? 'no stage time'})`,
    };
  }
  const alarm = record.alarm ?? 'unknown';
  const reason = record.reason ?? '';
  const restored = record.status === 'restored';
  const at = restored && record.restoredAt ? new Date(record.restoredAt) : now;
  const aborted = rollout ? abortByWatchdog(release, rollout, record, at) : rollbackRelease(release, { now: at });
  const what = restored
    ? `restored the stable weights at ${record.restoredAt} (slot ${release.active} 100%)`
    : 'started to restore the stable weights but did not record the end (status "restoring"): deploy the abort';
  return {
    applies: true,
    release: aborted,
    restored,
    alarm,
    reason,
    message:
      `${release.environment}: the watchdog of fleet ${record.fleet ?? rollout?.fleet ?? '?'} ${what}: alarm ` +
      `"${alarm}" of the canary slot ${canary} went to ALARM at ${record.stateChangedAt ?? 'an unknown time'} ` +
      `(${reason}). Recorded in the release file as an abort by the watchdog; slot ${canary} is marked rolled back.`,
  };
}

/** The rollout aborted by the watchdog, written as an alarm abort (`servedAt` null until a command sees it served). */
function abortByWatchdog(release: ReleaseFile, rollout: Rollout, record: WatchdogRecord, at: Date): ReleaseFile {
  const canary = otherSlot(release.active);
  const time = at.toISOString();
  const { staged: _staged, ...unstaged } = release;
  return {
    ...unstaged,
    canary: 0,
    slots: { ...release.slots, [canary]: { ...release.slots[canary], rolledBackAt: time } },
    rollout: {
      ...rollout,
      status: 'aborted',
      endedAt: time,
      abort: { by: 'watchdog', alarm: record.alarm ?? 'unknown', reason: record.reason ?? '', servedAt: null },
    },
  };
}
