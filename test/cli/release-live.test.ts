import { liveStatusLines } from '../../bin/cli/release-live';
import { emptyRelease, promoteRelease, stageRelease } from '../../lib/release';
import type { PinnedSlot } from '../../lib/review';

// release status --live: what each pinned slot runs in AWS (its groups' launch template,
// read from Auto Scaling by the fleet's and the slot's tags) against the code's.

const AMI_1 = 'ami-0123456789abcdef0';
const AMI_2 = 'ami-0fedcba9876543210';
const now = new Date(0);
// prod: green serves, blue holds the previous release
const release = promoteRelease(
  stageRelease(stageRelease(emptyRelease('prod'), { image: AMI_1, source: '--image', now }), {
    image: AMI_2,
    source: '--image',
    now,
  }),
);

const slot = (name: 'blue' | 'green', code: string): PinnedSlot => ({
  stack: 'web-prod',
  address: `aws_launch_template.Web_${name}`,
  fleet: 'web-prod',
  slot: name,
  environment: 'prod',
  codeLaunchTemplateName: code,
});

/** A fake Auto Scaling client: the groups of each slot by the tag filter, and the calls it got. */
function autoScaling(running: Record<string, string[]>) {
  const calls: unknown[] = [];
  return {
    calls,
    send: async (command: { input: { Filters: Array<{ Name: string; Values: string[] }> } }) => {
      calls.push(command.input);
      const slotName = command.input.Filters.find((f) => f.Name === 'tag:cdktf-immutable:slot')!.Values[0];
      return {
        AutoScalingGroups: (running[slotName] ?? []).map((name) => ({ LaunchTemplate: { LaunchTemplateName: name } })),
      };
    },
  };
}

describe('release status --live', () => {
  test('the serving slot runs another template than the code defines: both generations and the command', async () => {
    const client = autoScaling({ green: ['web-prod-green-1111111111'], blue: ['web-prod-blue-3333333333'] });
    const lines = await liveStatusLines(
      release,
      [slot('blue', 'web-prod-blue-3333333333'), slot('green', 'web-prod-green-2222222222')],
      'cdktf.out',
      client as never,
    );
    expect(lines).toEqual([
      "    live: blue (idle, fleet web-prod) runs web-prod-blue-3333333333, the code's definition.",
      '    live: green (serving, fleet web-prod) runs web-prod-green-1111111111 (generation 1111111111); the code ' +
        'defines web-prod-green-2222222222 (generation 2222222222). Ship it: cdktf-immutable release stage prod ' +
        '--same-image, deploy, then promote.',
    ]);
    expect(client.calls[1]).toEqual({
      Filters: [
        { Name: 'tag:cdktf-immutable:fleet', Values: ['web-prod'] },
        { Name: 'tag:cdktf-immutable:slot', Values: ['green'] },
      ],
      NextToken: undefined,
    });
  });

  test('a rollback slot that differs is expected; a slot without a group and another environment are said', async () => {
    const client = autoScaling({ blue: ['web-prod-blue-1111111111'] });
    expect(
      await liveStatusLines(
        release,
        [slot('blue', 'web-prod-blue-2222222222'), slot('green', 'web-prod-green-2222222222')],
        'cdktf.out',
        client as never,
      ),
    ).toEqual([
      expect.stringMatching(/blue \(idle, .*\(the rollback slot keeps the previous definition until the next release/),
      '    live: green (serving, fleet web-prod): no group found in AWS; the code defines web-prod-green-2222222222.',
    ]);
    expect(
      await liveStatusLines(release, [{ ...slot('green', 'x'), environment: 'dev' }], 'out', client as never),
    ).toEqual([expect.stringMatching(/^ {4}live: no pinned slot of prod in out; build the fleet with fromRelease/)]);
  });
});
