// Payment plan arithmetic for the plan dialog's preview, in minor units (no floating point): the
// same split and dates the core makes (`model::plan`), which checks them again on save.

/** `total` in `count` parts differing by at most one minor unit, the larger first; null when
 * there is nothing to split. */
export function splitEqual(total: number, count: number): number[] | null {
  if (!Number.isInteger(count) || count < 1 || total < count) return null;
  const base = Math.floor(total / count);
  const rest = total - base * count;
  return Array.from({ length: count }, (_, i) => base + (i < rest ? 1 : 0));
}

/** `count` dates a month apart from `first` (YYYY-MM-DD); the 31st falls back to a shorter
 * month's last day, as in the core. */
export function monthlyDates(first: string, count: number): string[] {
  const [y, m, d] = first.split("-").map(Number);
  if (!y || !m || !d) return [];
  return Array.from({ length: count }, (_, k) => {
    const month = m - 1 + k;
    const year = y + Math.floor(month / 12);
    const inYear = month % 12;
    const last = new Date(Date.UTC(year, inYear + 1, 0)).getUTCDate();
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${year}-${pad(inYear + 1)}-${pad(Math.min(d, last))}`;
  });
}

/** A typed amount ("250", "250.5", "250.50") in minor units, or null when it is not one. */
export function decimalToMinor(text: string, decimals: number): number | null {
  const match = /^(\d{1,12})(?:\.(\d*))?$/.exec(text.trim());
  if (!match || (match[2] ?? "").length > decimals) return null;
  const fraction = (match[2] ?? "").padEnd(decimals, "0");
  return Number(match[1]) * 10 ** decimals + (decimals ? Number(fraction) : 0);
}
