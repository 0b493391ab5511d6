import {
  checkFreeze,
  checkStageFrom,
  checkVetoes,
  emptyRelease,
  emptyVetoFile,
  formatReleaseFile,
  formatVetoFile,
  liftVeto,
  openFreezeWindow,
  parseReleaseFile,
  parseVetoFile,
  promoteRelease,
  ReleaseFile,
  ReleaseFileError,
  ReleaseRefusedError,
  rollbackRelease,
  servingRecordOf,
  stageRelease,
  startRollout,
  vetoedSlots,
  vetoImage,
} from '../../lib/release';
import { decideAdvance } from '../../lib/release';

const AMI_1 = 'ami-0123456789abcdef0';
const AMI_2 = 'ami-0fedcba9876543210';
const T0 = new Date('2026-06-01T00:00:00Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3600_000);

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ReleaseRefusedError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
};

/** dev with AMI_1 serving and AMI_2 staged. */
function staged(env = 'dev'): ReleaseFile {
  const first = stageRelease(emptyRelease(env), { image: AMI_1, source: '--image', now: T0 });
  return stageRelease(first, { image: AMI_2, source: '--image', now: T0 });
}

/** dev where AMI_2 completed a rollout at `at`. */
function rolledOut(at: Date): ReleaseFile {
  const started = startRollout(staged(), { steps: [50, 100], bakeSeconds: 0, fleet: 'web-dev', now: T0 });
  const health = { healthy: 2, registered: 2, desired: 2 };
  const served = decideAdvance(
    started,
    [],
    { weights: { blue: 50, green: 50 }, health: { blue: health, green: health } },
    T0,
  );
  const outcome = decideAdvance(
    served.release,
    [],
    { weights: { blue: 50, green: 50 }, health: { blue: health, green: health } },
    at,
  );
  expect(outcome.kind).toBe('completed');
  return outcome.release;
}

const prod = (stageFrom: object): ReleaseFile =>
  parseReleaseFile(
    JSON.stringify({ ...JSON.parse(formatReleaseFile(staged('prod'))), policy: { stageFrom } }),
    'prod.json',
  );

describe('policy.stageFrom: what stage --from takes', () => {
  test('a completed rollout and a soak time: refused until both, naming the rule and what is missing', () => {
    const rule = prod({ requireCompletedRollout: true, soakSeconds: 86400 });
    const plain = promoteRelease(staged(), undefined, { now: hours(1) });
    expect(refusal(() => checkStageFrom(rule, plain, hours(30)))).toBe(
      'prod: the policy requires that "stage --from" takes an image that completed a stepped rollout in the ' +
        `environment it comes from ("policy.stageFrom"); the active image of dev (${AMI_2}) did not complete a ` +
        'stepped rollout there (promoted without --steps, or restored by a rollback), so nothing was written. Roll ' +
        'it out in dev first ("cdktf-immutable release promote dev --steps 10,50,100 --alarm <name>").',
    );
    const done = rolledOut(hours(2));
    expect(servingRecordOf(done)).toEqual({
      image: AMI_2,
      since: hours(2).toISOString(),
      rolloutCompletedAt: hours(2).toISOString(),
    });
    expect(refusal(() => checkStageFrom(rule, done, hours(20)))).toMatch(
      /takes an image that served dev for at least 24h .*ami-0fedcba9876543210 has served dev since 2026-06-01T02:00:00\.000Z \(18h, 6h short\), so nothing was written\. Run the command again after 2026-06-02T02:00:00\.000Z\./,
    );
    expect(() => checkStageFrom(rule, done, hours(26))).not.toThrow();
  });

  test('an aborted or rolled-back release is refused; a canary in the middle too', () => {
    const rule = prod({ requireCompletedRollout: true });
    const done = rolledOut(hours(2));
    const rolledBack = rollbackRelease(done, { now: hours(3) });
    expect(refusal(() => checkStageFrom(rule, rolledBack, hours(4)))).toMatch(
      /dev was rolled back, and its active image/,
    );
    const canary = promoteRelease(staged(), 10);
    expect(refusal(() => checkStageFrom(rule, canary, hours(4)))).toMatch(/dev is in the middle of a canary/);
  });

  test('no rule: anything active goes', () => {
    expect(() => checkStageFrom(staged('prod'), staged(), T0)).not.toThrow();
  });
});

describe('policy.freeze: stage and promote refused inside a window unless forced with a reason', () => {
  const frozen = (freeze: object[]): ReleaseFile =>
    parseReleaseFile(JSON.stringify({ ...JSON.parse(formatReleaseFile(staged())), policy: { freeze } }), 'dev.json');

  test('a one-off window: refused inside, the override recorded when forced, nothing outside', () => {
    const release = frozen([{ from: '2026-12-20T00:00:00Z', to: '2027-01-04T00:00:00Z', reason: 'year end' }]);
    const inside = new Date('2026-12-24T12:00:00Z');
    expect(refusal(() => checkFreeze(release, 'promote', inside))).toBe(
      'dev: promote is refused during the freeze window 2026-12-20T00:00:00Z..2027-01-04T00:00:00Z (year end) ' +
        '("policy.freeze"); nothing was written. Wait for the window to close, or override it on purpose with ' +
        '"cdktf-immutable release promote dev ... --force-freeze --reason \\"<why>\\"" (the reason is recorded in the ' +
        'release file).',
    );
    expect(checkFreeze(release, 'stage', inside, { reason: 'INC-42 hotfix' })).toEqual({
      at: inside.toISOString(),
      command: 'stage',
      window: '2026-12-20T00:00:00Z..2027-01-04T00:00:00Z (year end)',
      reason: 'INC-42 hotfix',
    });
    expect(checkFreeze(release, 'promote', new Date('2027-01-04T00:00:00Z'))).toBeUndefined();
  });

  test('a weekly window in a time zone, wrapping over the week end', () => {
    const release = frozen([{ weekly: { from: 'Fri 16:00', to: 'Mon 08:00', timeZone: 'Europe/Paris' } }]);
    const windows = release.policy!.freeze;
    // 2026-06-05 is a Friday; Paris is UTC+2 in June
    expect(openFreezeWindow(windows, new Date('2026-06-05T13:59:00Z'))).toBeUndefined();
    expect(openFreezeWindow(windows, new Date('2026-06-05T14:00:00Z'))).toBeDefined();
    expect(openFreezeWindow(windows, new Date('2026-06-07T12:00:00Z'))).toBeDefined();
    expect(openFreezeWindow(windows, new Date('2026-06-08T05:59:00Z'))).toBeDefined();
    expect(openFreezeWindow(windows, new Date('2026-06-08T06:00:00Z'))).toBeUndefined();
    expect(refusal(() => checkFreeze(release, 'stage', new Date('2026-06-06T00:00:00Z')))).toMatch(
      /during the freeze window weekly Fri 16:00\.\.Mon 08:00 Europe\/Paris/,
    );
  });

  test.each([
    [[{ from: 'soon', to: '2027-01-01T00:00:00Z' }], /"policy\.freeze\[0\]\.from" is "soon"; use an ISO 8601 time/],
    [[{ from: '2027-01-02T00:00:00Z', to: '2027-01-01T00:00:00Z' }], /"policy\.freeze\[0\]\.to" .* is not after/],
    [[{ weekly: { from: 'Friday 16:00', to: 'Mon 08:00' } }], /"policy\.freeze\[0\]\.weekly\.from" is "Friday 16:00"/],
    [[{ weekly: { from: 'Fri 16:00', to: 'Mon 08:00', timeZone: 'Mars/Olympus' } }], /timeZone" is "Mars\/Olympus"/],
    [[{ weekly: { from: 'Fri 16:00', to: 'Fri 16:00' } }], /opens and closes at Fri 16:00/],
    [{ from: 1 }, /"policy\.freeze" is an object with 1 field\(s\); use a list of windows/],
  ])('a bad window names the field and the fix: %j', (freeze, expected) => {
    expect(() => frozen(freeze as object[])).toThrow(expected);
  });

  test('bad stageFrom and roleArn name the field and the fix', () => {
    const withPolicy = (policy: object) =>
      parseReleaseFile(JSON.stringify({ ...JSON.parse(formatReleaseFile(staged())), policy }), 'dev.json');
    expect(() => withPolicy({ stageFrom: { soakSeconds: -1 } })).toThrow(/"policy\.stageFrom\.soakSeconds" is -1/);
    expect(() => withPolicy({ stageFrom: { requireCompletedRollout: 'yes' } })).toThrow(/use true or false/);
    expect(() => withPolicy({ roleArn: 'admin' })).toThrow(/"policy\.roleArn" is "admin"; use an IAM role ARN/);
    expect(withPolicy({ roleArn: 'arn:aws:iam::123456789012:role/release' }).policy?.roleArn).toBe(
      'arn:aws:iam::123456789012:role/release',
    );
  });
});

describe('vetoed images', () => {
  const vetoes = vetoImage(emptyVetoFile(), AMI_2, 'leaks memory', T0);

  test('stage and promote of a vetoed image are refused; a rollback is not', () => {
    const before = stageRelease(emptyRelease('dev'), { image: AMI_1, source: '--image', now: T0 });
    const after = stageRelease(before, { image: AMI_2, source: '--image', now: T0 });
    expect(refusal(() => checkVetoes(before, after, vetoes, 'stage'))).toBe(
      `dev: ${AMI_2} is vetoed since ${T0.toISOString()} (leaks memory); stage would put it into slot green, so ` +
        `nothing was written. Stage another image, or lift the veto on purpose ("cdktf-immutable release veto ${AMI_2} ` +
        '--lift").',
    );
    expect(refusal(() => checkVetoes(after, promoteRelease(after, 10), vetoes, 'promote'))).toMatch(
      /promote would give slot green 10% of the traffic/,
    );
    const promoted = promoteRelease(after);
    expect(() => checkVetoes(promoted, rollbackRelease(promoted), vetoes, 'rollback')).not.toThrow();
    expect(vetoedSlots(promoted, vetoes)).toEqual([
      { slot: 'green', image: AMI_2, weight: 100, reason: 'leaks memory' },
    ]);
  });

  test('the veto file: sorted, each image once, reasons required; lifting removes it', () => {
    const two = vetoImage(vetoes, AMI_1, 'bad kernel', T0);
    const text = formatVetoFile(two);
    expect(parseVetoFile(text, 'vetoed.json').images.map((entry) => entry.image)).toEqual([AMI_1, AMI_2]);
    expect(liftVeto(two, AMI_2).images.map((entry) => entry.image)).toEqual([AMI_1]);
    expect(() => vetoImage(vetoes, AMI_1, ' ', T0)).toThrow(ReleaseFileError);
    expect(() =>
      parseVetoFile(
        '{"version":1,"images":[{"image":"ami-1","reason":"x","vetoedAt":"2026-01-01T00:00:00Z"}]}',
        'v.json',
      ),
    ).toThrow(/v\.json: "images\[0\]\.image" is "ami-1"; use an AMI id/);
    const twice = JSON.stringify({ version: 1, images: [...two.images, two.images[0]] });
    expect(() => parseVetoFile(twice, 'v.json')).toThrow(/is listed twice/);
  });
});
