import { InputError } from '../../private/validation';
/**
 * Validation of EC2 Image Builder schedule expressions: `cron(<minute> <hour> <day>
 * <month> <day-of-week> <year>)`, six fields separated by single spaces (the
 * EventBridge flavour, not Unix cron).
 */

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly question?: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, question: true },
  { name: 'year', min: 1970, max: 2199 },
];

/**
 * Returns the expression in its `cron(...)` form, or throws an error that says which
 * field is wrong and why. Accepts the six fields with or without the `cron( )` wrapper.
 */
export function validateCronExpression(expression: string): string {
  const wrapped = /^cron\((.*)\)$/s.exec(expression);
  const body = wrapped ? wrapped[1] : expression;
  if (/^rate\(/.test(expression)) {
    throw new InputError(
      'Image Builder schedules take cron expressions only, not rate(); write e.g. "cron(0 3 ? * SUN *)" for every ' +
        'Sunday at 03:00 UTC.',
    );
  }
  const fields = body.split(' ');
  if (body !== body.trim() || fields.some((f) => f === '')) {
    throw new InputError('fields must be separated by single spaces, with no leading or trailing space.');
  }
  if (fields.length !== 6) {
    throw new InputError(
      `expected 6 fields (minute hour day-of-month month day-of-week year), found ${fields.length}; ` +
        `e.g. "cron(0 3 ? * SUN *)". Unix cron's 5 fields need a year field ("*") and "?" in the day-of-month or ` +
        'day-of-week field.',
    );
  }
  fields.forEach((value, i) => checkField(FIELDS[i], value));
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    throw new InputError(
      `exactly one of day-of-month ("${dayOfMonth}") and day-of-week ("${dayOfWeek}") must be "?": set the one you ` +
        `do not use to "?".`,
    );
  }
  return `cron(${body})`;
}

function checkField(field: Field, value: string): void {
  if (value === '?') {
    if (!field.question) {
      throw new InputError(`${field.name} ("?"): "?" is only allowed in day-of-month and day-of-week.`);
    }
    return;
  }
  for (const item of value.split(',')) {
    if (!checkItem(field, item)) {
      const range = field.names
        ? `${field.min}-${field.max} or ${field.names[0]}-${field.names[field.names.length - 1]}`
        : `${field.min}-${field.max}`;
      throw new InputError(
        `${field.name} ("${value}"): "${item}" is not a valid value; use ${range}, "*", ranges "a-b", lists "a,b" ` +
          `and steps "a/n"${specials(field)}.`,
      );
    }
  }
}

function specials(field: Field): string {
  if (field.name === 'day-of-month') {
    return ', "L", "LW" or "<day>W"';
  }
  if (field.name === 'day-of-week') {
    return ', "L", "<day>L" or "<day>#<1-5>"';
  }
  return '';
}

function checkItem(field: Field, item: string): boolean {
  if (item === '') {
    return false;
  }
  if (field.name === 'day-of-month') {
    if (item === 'L' || item === 'LW') {
      return true;
    }
    const weekday = /^(\d+)W$/.exec(item);
    if (weekday) {
      return inRange(field, weekday[1]);
    }
  }
  if (field.name === 'day-of-week') {
    if (item === 'L') {
      return true;
    }
    const last = /^(\w+)L$/i.exec(item);
    if (last && !/^\d+$/.test(item)) {
      return inRange(field, last[1]);
    }
    const nth = /^(\w+)#(\d+)$/.exec(item);
    if (nth) {
      return inRange(field, nth[1]) && /^[1-5]$/.test(nth[2]);
    }
  }
  const [base, step, ...rest] = item.split('/');
  if (rest.length > 0) {
    return false;
  }
  if (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1 || Number(step) > field.max)) {
    return false;
  }
  if (base === '*') {
    return true;
  }
  const bounds = base.split('-');
  if (bounds.length > 2) {
    return false;
  }
  return bounds.every((bound) => inRange(field, bound));
}

function inRange(field: Field, value: string): boolean {
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    return n >= field.min && n <= field.max;
  }
  return field.names !== undefined && field.names.includes(value.toUpperCase());
}
