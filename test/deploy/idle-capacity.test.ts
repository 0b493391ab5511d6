import { TerraformVariable } from 'cdktf';
import { BlueGreenFleet, BlueGreenFleetProps, FleetScaling, fromRelease as fromReleaseFile } from '../../lib';
import { parseReleaseFile } from '../../lib/release';
import { ValidationError } from '../../lib/private/validation';
import { AMI_1, AMI_2, Json, newStack, synthJson } from '../support/synth';
import { compare, fromRelease, resource, synthBlueGreen } from './fleet-helpers';

// Idle capacity: the slot that no longer serves is scaled in once it has been idle for
// `idleCapacity.after`, by a scheduled action at that time and by every plan from then
// on; a rollback or promote onto it clears the mark, so it grows back before the
// listener moves (the traffic guard's capacity rule).

const SINCE = '2026-03-01T10:00:00Z';
/** green serves; blue, the rollback slot, went idle at SINCE. */
const idleBlue = (extra: Partial<BlueGreenFleetProps> = {}) =>
  synthBlueGreen(
    fromRelease(
      { blue: AMI_1, green: AMI_2, active: 'green', staged: 'none' },
      {
        idleCapacity: { after: '2h' },
        ...extra,
        slots: { blue: { idleSince: SINCE, ...extra.slots?.blue }, green: {} },
      },
    ),
  );
const group = (json: Json, slot: 'Blue' | 'Green') => resource(json, 'aws_autoscaling_group', slot);
const schedules = (json: Json): Record<string, Json> => json.resource.aws_autoscaling_schedule ?? {};

describe('idle capacity', () => {
  test('defaults: without idleCapacity, an idle slot keeps its size and no schedule is made', () => {
    const { json } = synthBlueGreen(
      fromRelease(
        { blue: AMI_1, green: AMI_2, active: 'green', staged: 'none' },
        { slots: { blue: { idleSince: SINCE }, green: {} } },
      ),
    );
    expect(schedules(json)).toEqual({});
    expect(group(json, 'Blue').min_size).not.toMatch(/plantimestamp/);
  });

  test('the idle slot: a scheduled action at idleSince + after, and sizes that follow the plan time', () => {
    const { json } = idleBlue();
    const [[name, schedule]] = Object.entries(schedules(json));
    expect(name).toMatch(/^Web_Blue_IdleScaleIn_/);
    expect(schedule).toMatchObject({
      scheduled_action_name: 'web-blue-idle-scale-in',
      start_time: '2026-03-01T12:00:00Z',
      min_size: 0,
      desired_capacity: 0,
      max_size: -1,
      count: '${timecmp(plantimestamp(), "2026-03-01T12:00:00Z") < 0 ? 1 : 0}',
    });
    expect(schedule.autoscaling_group_name).toMatch(
      /^\$\{aws_autoscaling_group\.Web_Blue_AutoScalingGroup_[0-9A-F]+\.name\}$/,
    );
    const blue = group(json, 'Blue');
    expect(blue.min_size).toMatch(/^\$\{timecmp\(plantimestamp\(\), "2026-03-01T12:00:00Z"\) >= 0 \? 0 : max\(2, /);
    // the desired capacity is not managed otherwise: left as it is until the time, then the idle size
    expect(blue.desired_capacity).toBe('${timecmp(plantimestamp(), "2026-03-01T12:00:00Z") >= 0 ? 0 : null}');
    // the serving slot is untouched
    expect(group(json, 'Green').min_size).not.toMatch(/plantimestamp/);
    expect(group(json, 'Green').desired_capacity).toBeUndefined();
  });

  test('all properties: a size to keep, days and hours, a desired capacity of its own', () => {
    const { json } = idleBlue({ idleCapacity: { after: '1d2h30m', min: 1 }, capacity: { min: 2, max: 4, desired: 3 } });
    const schedule = Object.values(schedules(json))[0];
    expect(schedule).toMatchObject({ start_time: '2026-03-02T12:30:00Z', min_size: 1, desired_capacity: 1 });
    expect(group(json, 'Blue').desired_capacity).toMatch(
      /^\$\{timecmp\(plantimestamp\(\), "2026-03-02T12:30:00Z"\) >= 0 \? 1 : max\(3, /,
    );
  });

  test('with scaling, the schedule still sets the desired capacity (the group ignores its own)', () => {
    const { json } = idleBlue({ scaling: FleetScaling.cpuUtilization(50) });
    expect(group(json, 'Blue').lifecycle.ignore_changes).toContain('desired_capacity');
    expect(Object.values(schedules(json))[0].desired_capacity).toBe(0);
  });

  test('a rollback onto the idle slot: its schedule goes, its sizes are the capacity rule again, the listener moves', () => {
    const before = idleBlue().json;
    // rolled back: blue serves again (no idleSince), green went idle now
    const { json: after } = synthBlueGreen(
      fromRelease(
        { blue: AMI_1, green: AMI_2, active: 'blue', staged: 'none' },
        { idleCapacity: { after: '2h' }, slots: { blue: {}, green: { idleSince: '2026-03-01T13:00:00Z' } } },
      ),
    );
    const { created, destroyed, changed } = compare(before, after);
    expect(destroyed.filter((a) => a.startsWith('aws_'))).toEqual([
      expect.stringMatching(/^aws_autoscaling_schedule\.Web_Blue_IdleScaleIn_/),
    ]);
    expect(created.filter((a) => a.startsWith('aws_'))).toEqual([
      expect.stringMatching(/^aws_autoscaling_schedule\.Web_Green_IdleScaleIn_/),
    ]);
    expect(changed.filter((a) => a.startsWith('aws_')).sort()).toEqual([
      expect.stringMatching(/^aws_autoscaling_group\.Web_Blue_/),
      expect.stringMatching(/^aws_autoscaling_group\.Web_Green_/),
      expect.stringMatching(/^aws_lb_listener\.Web_Listener_/),
    ]);
    // blue takes all the traffic: at least the capacity rule's size, whatever the time
    expect(group(after, 'Blue').min_size).toMatch(/^\$\{max\(2, ceil\(/);
    expect(group(after, 'Blue').desired_capacity).toBeUndefined();
    // and the listener waits for blue's group, which grows first
    expect(resource(after, 'aws_lb_listener', 'Listener').depends_on.join(' ')).toMatch(/Web_Blue_AutoScalingGroup/);
  });

  test('fromRelease maps the release file’s idleSince to the slot', () => {
    const release = parseReleaseFile(
      JSON.stringify({
        version: 1,
        environment: 'prod',
        active: 'green',
        canary: 0,
        previous: 'blue',
        slots: {
          blue: { image: AMI_1, stagedAt: null, source: null, idleSince: SINCE },
          green: { image: AMI_2, stagedAt: null, source: null },
        },
      }),
      'prod.json',
    );
    const props = fromReleaseFile(release);
    expect(props.slots.blue.idleSince).toBe(SINCE);
    expect(props.slots.green).not.toHaveProperty('idleSince');
  });

  test('tokens: an idleSince read at plan is added to in Terraform', () => {
    const stack = newStack('prod');
    const since = new TerraformVariable(stack, 'since', { type: 'string' });
    new BlueGreenFleet(
      stack,
      'Web',
      fromRelease(
        { blue: AMI_1, green: AMI_2, active: 'green', staged: 'none' },
        { idleCapacity: { after: '2h' }, slots: { blue: { idleSince: since.stringValue }, green: {} } },
      ),
    );
    const schedule = Object.values(schedules(synthJson(stack)))[0];
    expect(schedule.start_time).toBe('${timeadd(var.since, "7200s")}');
  });

  describe('validation', () => {
    test.each<[string, Partial<BlueGreenFleetProps>, string]>([
      [
        'seconds',
        { idleCapacity: { after: '90s' } },
        'idleCapacity.after ("90s") must be a duration in days, hours and minutes',
      ],
      ['no unit', { idleCapacity: { after: '120' } }, 'idleCapacity.after ("120") must be a duration'],
      ['zero', { idleCapacity: { after: '0m' } }, 'idleCapacity.after ("0m") must be a duration'],
      ['over a year', { idleCapacity: { after: '366d' } }, 'idleCapacity.after ("366d") must be a duration'],
      [
        'a negative size',
        { idleCapacity: { after: '2h', min: -1 } },
        'idleCapacity.min (-1) must be an integer from 0 to 10000.',
      ],
      [
        'a size above max',
        { idleCapacity: { after: '2h', min: 5 } },
        'idleCapacity.min (5) must be <= capacity.max (4); lower idleCapacity.min.',
      ],
      [
        'not a UTC time',
        { slots: { blue: { idleSince: '1 March' }, green: {} } },
        'slots.blue.idleSince ("1 March") must be an ISO 8601 time in UTC such as "2026-01-31T12:00:00Z".',
      ],
    ])('%s is refused, naming the prop and the fix', (_name, extra, message) => {
      expect(() => idleBlue(extra)).toThrow(ValidationError);
      expect(() => idleBlue(extra)).toThrow(message);
    });

    test('on the active slot, a canary slot or an empty slot it is refused', () => {
      const build = (release: Parameters<typeof fromRelease>[0], slots: BlueGreenFleetProps['slots']) => () =>
        synthBlueGreen(fromRelease(release, { idleCapacity: { after: '2h' }, slots }));
      expect(build({ blue: AMI_1, green: AMI_2, active: 'blue' }, { blue: { idleSince: SINCE }, green: {} })).toThrow(
        'slots.blue.idleSince ("2026-03-01T10:00:00Z") is set on the active slot, which serves the traffic; only the idle slot ("green") can be idle',
      );
      expect(
        build({ blue: AMI_1, green: AMI_2, active: 'blue', canary: 10 }, { blue: {}, green: { idleSince: SINCE } }),
      ).toThrow('canaryPercent (10) sends the green slot traffic; a slot that serves is not idle');
      expect(build({ blue: AMI_1, green: null, active: 'blue' }, { blue: {}, green: { idleSince: SINCE } })).toThrow(
        'slots.green.idleSince ("2026-03-01T10:00:00Z") is set on a slot without an image; remove it.',
      );
    });

    test('a token duration is refused: the time is computed at synth', () => {
      const stack = newStack('prod');
      const after = new TerraformVariable(stack, 'after', { type: 'string' });
      expect(
        () =>
          new BlueGreenFleet(
            stack,
            'Web',
            fromRelease(
              { blue: AMI_1, green: AMI_2, active: 'green', staged: 'none' },
              { idleCapacity: { after: after.stringValue }, slots: { blue: { idleSince: SINCE }, green: {} } },
            ),
          ),
      ).toThrow(
        /idleCapacity\.after \(.*\) must be a duration .* written out: the time the slot is scaled in is computed at synth/,
      );
    });
  });
});
