// Locale-aware formatting with Intl. Amounts arrive as decimal strings in the currency's own
// precision (JPY "1234", BHD "12.345"), so no float rounding happens before display.

/** The person's languages, in order. WebKitGTK reports "C" under a POSIX locale (CI, minimal
 * systems), which Intl would turn into "en-US-u-va-posix" (no digit grouping): skip such tags and
 * fall back to en-US. */
function userLocales(): string[] {
  const reported = navigator.languages?.length ? navigator.languages : [navigator.language];
  const usable = reported.filter((tag) => {
    if (!tag || /^(c|posix)([._-].*)?$/i.test(tag)) return false;
    try {
      return Intl.getCanonicalLocales(tag).length > 0;
    } catch {
      return false;
    }
  });
  return [...usable, "en-US"];
}

export const locales = userLocales();

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string): Intl.NumberFormat {
  let format = moneyFormats.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat(locales, { style: "currency", currency });
    } catch {
      // An unknown code still shows the number and the code.
      format = new Intl.NumberFormat(locales, { minimumFractionDigits: 2 });
    }
    moneyFormats.set(currency, format);
  }
  return format;
}

/** "1234.50" + "EUR" → "€1,234.50" (en-US) / "1.234,50 €" (de-DE). */
export function formatMoney(decimal: string, currency: string): string {
  const format = moneyFormat(currency);
  // Intl accepts decimal strings exactly (no float detour) where supported.
  const text = format.format(decimal as Intl.StringNumericLiteral);
  return format.resolvedOptions().style === "currency" ? text : `${text} ${currency}`;
}

const dateFormat = new Intl.DateTimeFormat(locales, { dateStyle: "medium" });

/** A calendar date "2026-03-05", shown without any timezone shift. */
export function formatDate(isoDate: string): string {
  const [y, m, d] = isoDate.split("-").map(Number);
  if (!y || !m || !d) return isoDate;
  return dateFormat.format(new Date(y, m - 1, d));
}

const relative = new Intl.RelativeTimeFormat(locales, { numeric: "auto", style: "short" });

/** An RFC 3339 timestamp as "today", "3 days ago", "2 months ago". */
export function formatSince(timestamp: string, now: Date = new Date()): string {
  const then = new Date(timestamp);
  if (Number.isNaN(then.getTime())) return timestamp;
  const startOf = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((startOf(now) - startOf(then)) / 86_400_000);
  if (days < 45) return relative.format(-days, "day");
  if (days < 365) return relative.format(-Math.round(days / 30), "month");
  return relative.format(-Math.round(days / 365), "year");
}

// One formatter for all timestamps: a new Intl.DateTimeFormat per call (up to ~200 per customer
// opened, for the timeline) piled up ICU memory that WebKit's GC frees late (issue 4).
const timestampFormat = new Intl.DateTimeFormat(locales, { dateStyle: "medium", timeStyle: "short" });

/** Full date and time for a tooltip. */
export function formatTimestamp(timestamp: string): string {
  const then = new Date(timestamp);
  if (Number.isNaN(then.getTime())) return timestamp;
  return timestampFormat.format(then);
}

/** Aging bucket of a number of days past due, for styling (the number itself is always shown). */
export function agingBucket(days: number | null | undefined): "current" | "d30" | "d60" | "d90" | "d90plus" {
  if (days == null || days <= 0) return "current";
  if (days <= 30) return "d30";
  if (days <= 60) return "d60";
  if (days <= 90) return "d90";
  return "d90plus";
}

const count = new Intl.NumberFormat(locales);
export function formatCount(n: number): string {
  return count.format(n);
}

const byteUnits = ["byte", "kilobyte", "megabyte", "gigabyte"] as const;
const byteFormats = new Map<string, Intl.NumberFormat>();

/** A file size: "812 bytes", "48.2 kB", "112 MB" (1000-based, as file managers show). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < byteUnits.length - 1) {
    value /= 1000;
    unit++;
  }
  const name = byteUnits[unit] ?? "byte";
  let format = byteFormats.get(name);
  if (!format) {
    format = new Intl.NumberFormat(locales, {
      style: "unit",
      unit: name,
      unitDisplay: name === "byte" ? "long" : "short",
      maximumFractionDigits: unit === 0 ? 0 : 1,
    });
    byteFormats.set(name, format);
  }
  return format.format(value);
}
