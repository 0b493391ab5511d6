import { TerraformVariable } from 'cdktf';
import { ImageSchedule } from '../../lib';
import { newStack } from '../support/synth';

describe('ImageSchedule.cron', () => {
  test.each([
    ['cron(0 3 ? * SUN *)', 'cron(0 3 ? * SUN *)'],
    ['0 3 ? * sun *', 'cron(0 3 ? * sun *)'],
    ['cron(0 0 * * ? *)', 'cron(0 0 * * ? *)'],
    ['cron(15,45 */6 1-15 JAN-MAR ? 2025-2030)', 'cron(15,45 */6 1-15 JAN-MAR ? 2025-2030)'],
    ['cron(0 8 ? * MON-FRI *)', 'cron(0 8 ? * MON-FRI *)'],
    ['cron(0 8 L * ? *)', 'cron(0 8 L * ? *)'],
    ['cron(0 8 3W * ? *)', 'cron(0 8 3W * ? *)'],
    ['cron(0 8 ? * 6#2 *)', 'cron(0 8 ? * 6#2 *)'],
    ['cron(0 8 ? * FRI#1 *)', 'cron(0 8 ? * FRI#1 *)'],
    ['cron(0 8 ? * 5L *)', 'cron(0 8 ? * 5L *)'],
    ['cron(0/30 8-17/2 ? * * *)', 'cron(0/30 8-17/2 ? * * *)'],
  ])('accepts %s', (expression, normalized) => {
    expect(ImageSchedule.cron(expression).expression).toBe(normalized);
  });

  test.each([
    ['cron(0 3 * * *)', 'expected 6 fields (minute hour day-of-month month day-of-week year), found 5'],
    ['cron(0 3 * * * *)', 'exactly one of day-of-month ("*") and day-of-week ("*") must be "?"'],
    ['cron(0 3 ? * ? *)', 'exactly one of day-of-month ("?") and day-of-week ("?") must be "?"'],
    ['cron(60 3 ? * SUN *)', 'minute ("60"): "60" is not a valid value; use 0-59'],
    ['cron(0 24 ? * SUN *)', 'hour ("24"): "24" is not a valid value; use 0-23'],
    ['cron(0 3 32 * ? *)', 'day-of-month ("32"): "32" is not a valid value; use 1-31'],
    ['cron(0 3 ? 13 SUN *)', 'month ("13"): "13" is not a valid value; use 1-12 or JAN-DEC'],
    ['cron(0 3 ? * SUNDAY *)', 'day-of-week ("SUNDAY"): "SUNDAY" is not a valid value; use 1-7 or SUN-SAT'],
    ['cron(0 3 ? * MON#6 *)', 'day-of-week ("MON#6"): "MON#6" is not a valid value'],
    ['cron(0 3 ? * SUN 1969)', 'year ("1969"): "1969" is not a valid value; use 1970-2199'],
    ['cron(? 3 * * SUN *)', 'minute ("?"): "?" is only allowed in day-of-month and day-of-week'],
    ['cron(*/0 3 ? * SUN *)', 'minute ("*/0"): "*/0" is not a valid value'],
    ['cron(1,,2 3 ? * SUN *)', 'minute ("1,,2"): "" is not a valid value'],
    ['cron(0  3 ? * SUN *)', 'fields must be separated by single spaces'],
    ['rate(1 day)', 'Image Builder schedules take cron expressions only, not rate()'],
  ])('rejects %s, naming the field and the fix', (expression, message) => {
    expect(() => ImageSchedule.cron(expression)).toThrow(
      `ImageSchedule.cron: expression ("${expression}") is not an Image Builder cron expression: ${message}`,
    );
  });

  test('rejects a bad time zone', () => {
    expect(() => ImageSchedule.cron('cron(0 3 ? * SUN *)', { timezone: 'Paris time' })).toThrow(
      'ImageSchedule.cron: timezone ("Paris time") must be an IANA time zone name',
    );
  });

  test('waits for updated dependencies by default', () => {
    expect(ImageSchedule.cron('cron(0 3 ? * SUN *)').startCondition).toBe(
      'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE',
    );
    expect(ImageSchedule.cron('cron(0 3 ? * SUN *)', { onlyWhenDependenciesUpdated: false }).startCondition).toBe(
      'EXPRESSION_MATCH_ONLY',
    );
  });

  test('accepts tokens without validating them', () => {
    const stack = newStack('s');
    const expression = new TerraformVariable(stack, 'cron', { type: 'string' }).stringValue;
    const timezone = new TerraformVariable(stack, 'tz', { type: 'string' }).stringValue;
    expect(ImageSchedule.cron(expression, { timezone })).toMatchObject({ expression, timezone });
  });
});
