import { ScheduleModel } from './model';
import { Body, text } from './terraform-json';

/** A rotation's `rotation_rules`, with the longest interval it allows when that can be worked out. */
export function readSchedule(rules: Body | undefined): ScheduleModel {
  if (!rules) return {};
  const days = rules.automatically_after_days;
  const automaticallyAfterDays = typeof days === 'number' ? days : typeof days === 'string' && /^\d+$/.test(days) ? Number(days) : undefined;
  const scheduleExpression = text(rules.schedule_expression);
  const duration = text(rules.duration);
  const maxIntervalDays = automaticallyAfterDays ?? (scheduleExpression ? maxIntervalOf(scheduleExpression) : undefined);
  return {
    ...(automaticallyAfterDays !== undefined ? { automaticallyAfterDays } : {}),
    ...(scheduleExpression !== undefined ? { scheduleExpression } : {}),
    ...(duration !== undefined ? { duration } : {}),
    ...(maxIntervalDays !== undefined ? { maxIntervalDays } : {}),
  };
}

/**
 * The longest time, in days, between two runs of a Secrets Manager schedule
 * expression: exact for `rate(…)`, an upper bound for `cron(…)` (months
 * counted as 31 days), undefined when the expression may not fire for
 * longer than that can be bounded (a year field, a day that some months
 * lack) or is not understood.
 */
export function maxIntervalOf(expression: string): number | undefined {
  const rate = /^rate\(\s*(\d+)\s+(day|days|hour|hours)\s*\)$/i.exec(expression.trim());
  if (rate) return /^day/i.test(rate[2]) ? Number(rate[1]) : Number(rate[1]) / 24;
  const cron = /^cron\((.*)\)$/i.exec(expression.trim());
  if (!cron) return undefined;
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) return undefined;
  const [, , dayOfMonth, month, dayOfWeek, year] = fields;
  if (!isAny(year)) return undefined;
  const monthGap = gapOf(expand(month, 1, 12, MONTHS), 12);
  if (monthGap === undefined) return undefined;
  if (isAny(dayOfWeek)) return dayOfMonthBound(dayOfMonth, monthGap);
  if (!isAny(dayOfMonth)) return undefined;
  return dayOfWeekBound(dayOfWeek, monthGap);
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const isAny = (field: string) => field === '*' || field === '?';

/** Days of the month: every day (daily), or days that every month has. */
function dayOfMonthBound(field: string, monthGap: number): number | undefined {
  if (isAny(field)) return monthGap === 1 ? 1 : (monthGap - 1) * 31 + 1;
  // The last day, or the weekday nearest a day: once a month, give or take the weekend.
  if (/^(L|LW|\d{1,2}W)$/i.test(field)) return monthGap * 31 + 3;
  const days = expand(field, 1, 31, []);
  // Days after the 28th are skipped in some months: only the others are sure to come.
  const sure = days?.filter((day) => day <= 28);
  if (!sure || sure.length === 0) return undefined;
  const inner = sure.slice(1).map((day, i) => day - sure[i]);
  return Math.max(...inner, monthGap * 31 - sure[sure.length - 1] + sure[0]);
}

/** Days of the week: the longest gap between them, or once a month for `MON#2` and `5L`. */
function dayOfWeekBound(field: string, monthGap: number): number | undefined {
  if (/^[A-Z1-7]{1,3}(#[1-4]|L)$/i.test(field)) return monthGap * 31 + 7;
  const days = expand(field, 1, 7, WEEKDAYS);
  const gap = days && gapOf(days, 7);
  if (gap === undefined) return undefined;
  // In months that are skipped, the last run of one month may be a week before its end.
  return monthGap === 1 ? gap : (monthGap - 1) * 31 + 7 + gap;
}

/** The longest circular gap between sorted values in a cycle of `size`; undefined for none. */
function gapOf(values: number[] | undefined, size: number): number | undefined {
  if (!values || values.length === 0) return undefined;
  const inner = values.slice(1).map((value, i) => value - values[i]);
  return Math.max(...inner, size - values[values.length - 1] + values[0]);
}

/** The values a cron field lists (`*`, `a`, `a-b`, `a/n`, `*\/n`, `a-b/n`, commas), sorted; undefined if not understood. */
function expand(field: string, min: number, max: number, names: string[]): number[] | undefined {
  const value = (token: string) => {
    const index = names.indexOf(token.toUpperCase());
    const number = index >= 0 ? index + min : /^\d+$/.test(token) ? Number(token) : NaN;
    return number >= min && number <= max ? number : undefined;
  };
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(\*|\?|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/.exec(part);
    if (!match) return undefined;
    const from = isAny(match[1]) ? min : value(match[1]);
    const to = match[2] !== undefined ? value(match[2]) : isAny(match[1]) || match[3] !== undefined ? max : from;
    const step = match[3] !== undefined ? Number(match[3]) : 1;
    if (from === undefined || to === undefined || step < 1 || to < from) return undefined;
    for (let n = from; n <= to; n += step) out.add(n);
  }
  return [...out].sort((a, b) => a - b);
}
