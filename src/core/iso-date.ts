/**
 * ISO 8601 dates, range-checked. `Date.parse` rolls impossible dates over (2025-02-30 becomes
 * 2025-03-02, 24:00 the next day) instead of refusing them; these checks refuse them. Pure
 * functions: the consent and lineage domains both read dates this way.
 */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2})))?$/;

export interface IsoInstantOptions {
  /** Also take a bare date (2025-06-30, midnight UTC). Default false: a date-time with a zone only. */
  dateOnly?: boolean;
}

/**
 * The instant a Date or an ISO 8601 text stands for, as milliseconds, or undefined when the
 * text is not one: a date-time needs a zone (the same text would mean different instants on
 * different servers), and every field is range-checked (month 1-12, the month's days, hours
 * 0-23, minutes and seconds 0-59, offsets up to 23:59).
 */
export function parseIsoInstant(value: unknown, options: IsoInstantOptions = {}): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value !== 'string') return undefined;
  const match = ISO_DATE.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute = '0', second = '0', , offH = '0', offM = '0'] = match;
  if (hour === undefined && options.dateOnly !== true) return undefined;
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(Number(year), Number(month), 0); // Date.UTC would read years 0-99 as 1900-1999
  const daysInMonth = lastDay.getUTCDate();
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > daysInMonth) return undefined;
  if (Number(hour ?? 0) > 23 || Number(minute) > 59 || Number(second) > 59 || Number(offH) > 23 || Number(offM) > 59) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}
